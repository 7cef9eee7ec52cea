/* request_grants.c: the grants step of onboarding requests
 * (request_grants.h): calls to authz.rpc.AddGroupMembers and
 * identity.rpc.GrantRoles, and the row marked applied after both. */
#include "request_grants.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authz.pb-c.h"
#include "cm_log.h"
#include "cm_peer.h"
#include "store_request_grants.h"

#define GRANTS_MAX 100 /* strings of one array; input caps them lower */

/* The strings of the JSON array text json (NULL = none) into v (at most
 * GRANTS_MAX, borrowed from *out_doc, which the caller json_decrefs);
 * their count. */
static size_t strings_of(const char *json, char **v, json_t **out_doc)
{
    json_t *a = json ? json_loads(json, 0, NULL) : NULL, *s;
    size_t i, n = 0;

    *out_doc = a;
    json_array_foreach(a, i, s)
    {
        if (json_is_string(s) && n < GRANTS_MAX)
            v[n++] = (char *)json_string_value(s);
    }
    return n;
}

/* authz.rpc.AddGroupMembers of user (may be "" with check_only). */
static cm_err add_members(struct cm_worker *w, const char *org, const char *groups_json,
                          const char *user, int check_only, char detail[PEER_DETAIL_MAX])
{
    Authz__AddGroupMembersRequest req = AUTHZ__ADD_GROUP_MEMBERS_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    char *ids[GRANTS_MAX];
    json_t *doc;
    cm_err err = CM_OK;

    req.organization_id = (char *)org;
    req.user_id = (char *)user;
    req.check_only = check_only;
    req.group_ids = ids;
    req.n_group_ids = strings_of(groups_json, ids, &doc);
    if (req.n_group_ids)
        err = cm_peer_call(w, "authz.rpc.AddGroupMembers", &req.base, &reply, detail,
                           PEER_DETAIL_MAX);
    if (reply)
        envelope__rpc_reply__free_unpacked(reply, NULL);
    json_decref(doc);
    return err;
}

/* identity.rpc.GrantRoles of user (may be "" with check_only). */
static cm_err grant_roles(struct cm_worker *w, const char *org, const char *roles_json,
                          const char *user, int check_only, char detail[PEER_DETAIL_MAX])
{
    Identity__GrantRolesRequest req = IDENTITY__GRANT_ROLES_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    char *names[GRANTS_MAX];
    json_t *doc;
    cm_err err = CM_OK;

    req.organization_id = (char *)org;
    req.user_id = (char *)user;
    req.check_only = check_only;
    req.role_names = names;
    req.n_role_names = strings_of(roles_json, names, &doc);
    if (req.n_role_names)
        err = cm_peer_call(w, "identity.rpc.GrantRoles", &req.base, &reply, detail,
                           PEER_DETAIL_MAX);
    if (reply)
        envelope__rpc_reply__free_unpacked(reply, NULL);
    json_decref(doc);
    return err;
}

cm_err request_grants_check(struct cm_worker *w, const char *org, const char *groups_json,
                            const char *roles_json, const char **out_field,
                            char detail[PEER_DETAIL_MAX])
{
    cm_err err;

    detail[0] = '\0';
    *out_field = "individual-group-ids";
    err = add_members(w, org, groups_json, "", 1, detail);
    if (err == CM_OK) {
        *out_field = "provider-roles";
        err = grant_roles(w, org, roles_json, "", 1, detail);
    }
    return err;
}

/* Both calls for request r, then the row marked applied. */
static cm_err apply_one(struct cm_worker *w, const struct req_grant_rec *r)
{
    char detail[PEER_DETAIL_MAX] = "";
    cm_err err = add_members(w, r->organization_id, r->group_ids, r->user_id, 0, detail);

    if (err == CM_EINVAL) { /* a group gone since the request was made */
        cm_warn("onboarding request %s: groups not applied: %s", r->id, detail);
        err = CM_OK;
    }
    if (err == CM_OK)
        err = grant_roles(w, r->organization_id, r->role_names, r->user_id, 0, detail);
    if (err == CM_EINVAL || err == CM_ENOTFOUND) { /* a role gone, or the account left */
        cm_warn("onboarding request %s: roles not applied: %s", r->id, detail);
        err = CM_OK;
    }
    if (err == CM_OK)
        err = store_req_grants_applied(w->pg, r->id);
    if (err == CM_OK)
        cm_info("onboarding request %s: groups and roles applied", r->id);
    else
        cm_warn("onboarding request %s: groups and roles not applied yet (%s)", r->id,
                cm_err_name(err));
    return err;
}

cm_err request_grants_apply(struct cm_worker *w, const char *user_id, long limit)
{
    struct req_grant_list l = {0};
    cm_err first = store_req_grants_due(w->pg, user_id, limit, &l);

    for (size_t i = 0; i < l.n; i++) {
        cm_err err = apply_one(w, &l.items[i]);
        if (first == CM_OK)
            first = err;
    }
    store_req_grant_list_free(&l);
    return first;
}
