/* handlers_user_orgs.c: the user-organizations resource (#142, #143):
 * memberships of users in organizations. A membership's id is the string
 * "<user-id>:<organization-id>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "org_json.h"
#include "store.h"

#define UO_TYPE "user-organizations"
#define ATTR "/data/attributes"

cm_err user_orgs_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"organization-id", "page[limit]", "page[offset]", "user-id",
                                        NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    struct membership_query q = {0};
    struct membership_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", q.org);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "user-id", q.user);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q.limit, &q.offset);
    if (err != CM_OK)
        return err;
    /* Visible: everything (platform admin), the caller's own memberships,
     * and those of the organization the caller administers. */
    q.all = cm_principal_platform_admin(rq);
    if (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && cm_uuid_valid(p->user_id))
        snprintf(q.self_user, sizeof q.self_user, "%s", p->user_id);
    if (cm_uuid_valid(p->organization_id) && cm_principal_org_admin(rq, p->organization_id))
        snprintf(q.admin_org, sizeof q.admin_org, "%s", p->organization_id);
    err = store_memberships_list(rq->w->pg, &q, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(org_json_membership_list(&res)));
    store_membership_list_free(&res);
    return CM_OK;
}

cm_err user_orgs_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"organization-id", "user-id", NULL};
    struct org_scope scope;
    char org[CM_UUID_LEN + 1], member_of[40];
    json_t *doc = NULL, *attrs, *r;
    struct user_ref user;
    struct membership_list m = {0};
    struct org_list o = {0};
    int added = 0;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, UO_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "organization-id", 1, org);
    if (err == CM_OK) {
        orgs_scope_of(rq, &scope);
        err = store_org_get(rq->w->pg, org, &scope, &o);
        store_org_list_free(&o);
        if (err == CM_ENOTFOUND)
            err = cm_fail_at(rq, err, ATTR "/organization-id", NULL, "no such organization");
    }
    if (err == CM_OK && !cm_principal_org_admin(rq, org))
        err = cm_fail_at(rq, CM_EDENIED, ATTR "/organization-id", NULL,
                         "only an administrator of the organization adds members");
    if (err == CM_OK && !json_is_string(json_object_get(attrs, "user-id")))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/user-id", NULL, "user-id must be a uuid string");
    if (err == CM_OK) {
        orgs_add_scope(rq, org, member_of);
        err = orgs_target_user(rq, attrs, member_of, &user);
    }
    if (err == CM_OK)
        err = orgs_membership_add(rq->w->pg, user.id, org, "", &added);
    if (err == CM_OK && !added)
        err = cm_fail(rq, CM_ECONFLICT, "the user is already a member of the organization");
    if (err == CM_OK)
        err = store_membership_get(rq->w->pg, user.id, org, &m);
    json_decref(doc);
    if (err != CM_OK)
        return err;
    r = org_json_membership(&m.items[0]);
    store_membership_list_free(&m);
    cm_resp_json(out, rq, 201, r ? cm_jsonapi_doc(r) : NULL);
    return CM_OK;
}
