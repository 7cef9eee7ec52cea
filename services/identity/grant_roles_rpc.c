/* grant_roles_rpc.c: identity.rpc.GrantRoles (proto/identity.proto):
 * organization roles given to an account by name, as
 * POST /v1/roles/{id}/add-user/ gives one (role_users row and
 * RoleMembershipChanged "added" in one transaction). Onboarding applies a
 * request's provider-roles through it, and checks them (check_only) when
 * the request is made. Idempotent: a role held already is no change. */
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "handlers.h"
#include "handlers_orgs.h"
#include "identity.pb-c.h"
#include "store_orgs.h"
#include "store_roles.h"

#define GRANT_ROLES_MAX 20 /* names in one request, as onboarding's input */

/* Every name of in resolved to its role of the organization, to roles[i]
 * (each released by the caller); CM_EINVAL naming the first unknown one. */
static cm_err resolve(struct cm_worker *w, const Identity__GrantRolesRequest *in,
                      struct role_list *roles)
{
    cm_err err = CM_OK;

    for (size_t i = 0; err == CM_OK && i < in->n_role_names; i++) {
        err = store_role_named(w->pg, in->organization_id, in->role_names[i], &roles[i]);
        if (err == CM_ENOTFOUND)
            err = cm_rpc_fail(w, CM_EINVAL, "%s is not a role of the organization",
                              in->role_names[i]);
    }
    return err;
}

/* Gives every role of roles (n) to user in one transaction with their
 * events; how many were new to *granted. */
static cm_err grant(PGconn *pg, const char *user, const struct role_list *roles, size_t n,
                    int *granted)
{
    cm_err err = cm_pg_begin(pg);

    for (size_t i = 0; err == CM_OK && i < n; i++) {
        const struct role_rec *r = &roles[i].items[0];
        char ru_id[24];
        int added = 0;

        err = store_role_user_add(pg, r->id, user, &added, ru_id);
        if (err == CM_OK && added)
            err = orgs_event_role(pg, user, r->id, r->name, r->organization_id, "added");
        *granted += added;
    }
    return cm_pg_end(pg, err);
}

cm_err rpc_grant_roles(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                       size_t *out_len)
{
    Identity__GrantRolesRequest *in =
        identity__grant_roles_request__unpack(NULL, req->payload.len, req->payload.data);
    Identity__GrantRolesReply reply = IDENTITY__GRANT_ROLES_REPLY__INIT;
    struct role_list roles[GRANT_ROLES_MAX];
    int member = 0, granted = 0;
    cm_err err = CM_OK;

    memset(roles, 0, sizeof roles);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a GrantRolesRequest");
    if (!cm_uuid_valid(in->organization_id) || in->n_role_names > GRANT_ROLES_MAX ||
        (!in->check_only && !cm_uuid_valid(in->user_id)))
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id and user_id must be uuids, at most %d "
                                        "role_names",
                          GRANT_ROLES_MAX);
    if (err == CM_OK)
        err = resolve(w, in, roles);
    if (err == CM_OK && !in->check_only)
        err = store_is_member(w->pg, in->user_id, in->organization_id, &member);
    if (err == CM_OK && !in->check_only && !member)
        err = cm_rpc_fail(w, CM_ENOTFOUND, "no such member of the organization");
    if (err == CM_OK && !in->check_only)
        err = grant(w->pg, in->user_id, roles, in->n_role_names, &granted);
    if (err == CM_OK) {
        reply.granted = granted;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    for (size_t i = 0; i < GRANT_ROLES_MAX; i++)
        store_role_list_free(&roles[i]);
    identity__grant_roles_request__free_unpacked(in, NULL);
    return err;
}
