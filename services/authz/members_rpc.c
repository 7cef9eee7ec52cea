/* members_rpc.c: authz.rpc.AddGroupMembers (proto/authz.proto, "for
 * onboarding"): an account becomes a member of groups of its organization,
 * through the writes of the HTTP add-members (gs_subject_add, which logs in
 * group_logs, and GroupMembershipChanged in the same transaction; the
 * access index follows the tables' change log). Onboarding applies a
 * request's individual-group-ids through it, and checks them (check_only)
 * when the request is made. Idempotent: a member already is no change. The
 * caller is a service; the organization comes from its own checked request. */
#include <string.h>

#include "authz.pb-c.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "handlers.h"
#include "handlers_groups.h"

#define ADD_MEMBERS_MAX_GROUPS 100

/* CM_EINVAL naming the first id of in that is not a group of its
 * organization. */
static cm_err check_groups(struct cm_worker *w, const Authz__AddGroupMembersRequest *in)
{
    cm_err err = CM_OK;

    for (size_t i = 0; err == CM_OK && i < in->n_group_ids; i++) {
        struct group_list g = {0, NULL, NULL};
        const char *id = in->group_ids[i];

        err = cm_uuid_valid(id) ? gs_group_get(w->pg, id, &g) : CM_ENOTFOUND;
        if (err == CM_OK && strcmp(g.items[0].organization_id, in->organization_id))
            err = CM_ENOTFOUND;
        GS_LIST_RELEASE(&g);
        if (err == CM_ENOTFOUND)
            err = cm_rpc_fail(w, CM_EINVAL, "%s is not a group of the organization", id);
    }
    return err;
}

/* Adds user to every group of in, in one transaction; new ones to *added. */
static cm_err add_all(PGconn *pg, const Authz__AddGroupMembersRequest *in, int *added)
{
    cm_err err = cm_pg_begin(pg);

    for (size_t i = 0; err == CM_OK && i < in->n_group_ids; i++) {
        int changed = 0;

        err = gs_subject_add(pg, in->group_ids[i], GS_MEMBER, in->user_id, NULL, &changed);
        if (err == CM_OK && changed)
            err = groups_event_membership(pg, in->group_ids[i], GS_MEMBER, in->user_id, "added");
        if (err == CM_OK && changed)
            err = gs_group_touch(pg, in->group_ids[i]);
        *added += changed;
    }
    return cm_pg_end(pg, err);
}

cm_err authz_rpc_add_group_members(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len)
{
    Authz__AddGroupMembersRequest *in =
        authz__add_group_members_request__unpack(NULL, req->payload.len, req->payload.data);
    Authz__AddGroupMembersReply reply = AUTHZ__ADD_GROUP_MEMBERS_REPLY__INIT;
    int added = 0;
    cm_err err = CM_OK;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not an AddGroupMembersRequest");
    if (!cm_uuid_valid(in->organization_id) || in->n_group_ids > ADD_MEMBERS_MAX_GROUPS ||
        (!in->check_only && !cm_uuid_valid(in->user_id)))
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id and user_id must be uuids, at most %d "
                                        "group_ids",
                          ADD_MEMBERS_MAX_GROUPS);
    if (err == CM_OK)
        err = check_groups(w, in);
    if (err == CM_OK && !in->check_only)
        err = add_all(w->pg, in, &added);
    if (err == CM_OK) {
        reply.added = added;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    authz__add_group_members_request__free_unpacked(in, NULL);
    return err;
}
