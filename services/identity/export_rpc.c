/* export_rpc.c: identity.rpc.ExportUsers (export_rpc.h): one page of users,
 * in id order, with their memberships and role names, for authz's
 * re-population of its projection. Input → store (store_export.h, records)
 * → the packed reply. */
#include "export_rpc.h"

#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "identity.pb-c.h"
#include "store_export.h"

#define PACK_OVERHEAD 8 /* a repeated field's tag and length, per user */

/* u's memberships into eu (arrays cm_xmalloc'd, free_memberships; strings
 * borrowed from u). */
static void fill_memberships(Identity__ExportedUser *eu, const struct export_user_rec *u)
{
    eu->n_memberships = u->n_memberships;
    eu->memberships = u->n_memberships ? cm_xcalloc(u->n_memberships, sizeof *eu->memberships)
                                       : NULL;
    for (size_t i = 0; i < u->n_memberships; i++) {
        Identity__ExportedMembership *em = cm_xmalloc(sizeof *em);

        identity__exported_membership__init(em);
        em->organization_id = u->memberships[i].organization_id;
        em->n_role_names = u->memberships[i].n_role_names;
        em->role_names = u->memberships[i].role_names;
        eu->memberships[i] = em;
    }
}

static void free_memberships(Identity__ExportedUser *eu)
{
    for (size_t i = 0; i < eu->n_memberships; i++)
        free(eu->memberships[i]);
    free(eu->memberships);
}

/* The reply of page: users while the packed size stays under
 * EXPORT_REPLY_BUDGET (at least one), more when any of page's limit + 1
 * users was left out. */
static uint8_t *render(const struct export_page *page, unsigned limit, size_t *out_len)
{
    Identity__ExportUsersReply reply = IDENTITY__EXPORT_USERS_REPLY__INIT;
    Identity__ExportedUser *users = cm_xcalloc(page->n + 1, sizeof *users);
    Identity__ExportedUser **ptrs = cm_xcalloc(page->n + 1, sizeof *ptrs);
    size_t budget = 0, n = 0;
    uint8_t *payload;

    for (size_t i = 0; i < page->n && i < limit; i++) {
        const struct export_user_rec *r = &page->users[i];
        Identity__ExportedUser *u = &users[i];
        size_t size;

        identity__exported_user__init(u);
        u->id = r->id;
        u->username = r->username;
        u->email = r->email;
        u->first_name = r->first_name;
        u->last_name = r->last_name;
        u->enabled = r->enabled;
        u->platform_admin = r->platform_admin;
        fill_memberships(u, r);
        size = identity__exported_user__get_packed_size(u) + PACK_OVERHEAD;
        if (n > 0 && budget + size > EXPORT_REPLY_BUDGET) {
            free_memberships(u); /* this one starts the next page */
            break;
        }
        budget += size;
        ptrs[n++] = u;
    }
    reply.users = ptrs;
    reply.n_users = n;
    reply.more = page->n > n;
    payload = cm_pack(&reply.base, out_len);
    for (size_t i = 0; i < n; i++)
        free_memberships(ptrs[i]);
    free(ptrs);
    free(users);
    return payload;
}

cm_err rpc_export_users(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                        size_t *out_len)
{
    Identity__ExportUsersRequest *in;
    struct export_page page = {0};
    cm_err err;

    in = identity__export_users_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ExportUsersRequest");
    if (in->limit < 1 || in->limit > EXPORT_LIMIT_MAX)
        err = cm_rpc_fail(w, CM_EINVAL, "limit must be 1 to %d", EXPORT_LIMIT_MAX);
    else if (in->after_id[0] && !cm_uuid_valid(in->after_id))
        err = cm_rpc_fail(w, CM_EINVAL, "after_id must be a uuid or empty");
    else if (in->organization_id[0] && !cm_uuid_valid(in->organization_id))
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id must be a uuid or empty");
    else if (in->organization_id[0]) /* one organization's members only */
        err = store_export_page_of(w->pg, in->organization_id,
                                   in->after_id[0] ? in->after_id : NULL, in->limit + 1, &page);
    else /* one more than asked: tells whether there is more */
        err = store_export_page(w->pg, in->after_id[0] ? in->after_id : NULL, in->limit + 1,
                                &page);
    if (err == CM_OK)
        *out_payload = render(&page, in->limit, out_len);
    store_export_page_release(&page);
    identity__export_users_request__free_unpacked(in, NULL);
    return err;
}
