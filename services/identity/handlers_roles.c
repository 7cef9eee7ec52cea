/* handlers_roles.c: roles (#120-#122) and role-users (#118, #119). Roles
 * belong to one organization; only its administrators (or the platform
 * admin) give and take them, and only to its members. Taking a role stops
 * the tokens its holder already has (revoke.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "revoke.h"
#include "role_json.h"
#include "store.h"
#include "store_roles.h"

#define ATTR "/data/attributes"

/* Role id into res->items[0] when the caller sees its organization, else 404
 * (on pointer when not NULL); with must_admin, 403 unless the caller
 * administers that organization. res is empty unless CM_OK. */
static cm_err role_of(struct cm_req *rq, const char *id, const char *pointer, int must_admin,
                      struct role_list *res)
{
    struct org_scope scope;
    cm_err err;

    orgs_scope_of(rq, &scope);
    err = id && cm_uuid_valid(id) ? store_role_get(rq->w->pg, id, &scope, res) : CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, pointer, NULL, "no such role");
    if (err == CM_OK && must_admin &&
        !cm_principal_org_admin(rq, res->items[0].organization_id)) {
        store_role_list_free(res);
        return cm_fail_at(rq, CM_EDENIED, pointer, NULL,
                          "only an administrator of the role's organization (in its current "
                          "organization) or the platform admin manages its holders");
    }
    return err;
}

cm_err roles_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[name]", "organization-id", "page[limit]",
                                        "page[offset]", NULL};
    struct org_scope scope;
    char name[1024], org[CM_UUID_LEN + 1];
    long limit, offset;
    struct role_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[name]", 255, name, sizeof name);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", org);
    if (err == CM_OK)
        err = cm_query_page(rq, 1000, 1, 1000, &limit, &offset);
    if (err != CM_OK)
        return err;
    orgs_scope_of(rq, &scope);
    err = store_roles_list(rq->w->pg, &scope, name, org, limit, offset, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(role_json_list(&res)));
    store_role_list_free(&res);
    return CM_OK;
}

/* A role change being made: the role, its holder-to-be and the body. */
struct role_change {
    struct role_list role;
    struct role_rec r;
    struct user_ref user;
    json_t *doc;
};

/* Reads a role change of JSON:API type: the role is the path's {id} when
 * there is one, else the required attribute role-id; the user (user-id
 * and/or email) must be a member of its organization. Release with
 * change_release whatever the outcome. */
static cm_err change_read(struct cm_req *rq, const char *type, const char *const *allowed,
                          struct role_change *c)
{
    const char *path_role = cm_req_param(rq, "id");
    char role_id[CM_UUID_LEN + 1];
    json_t *attrs;
    cm_err err = cm_principal_require(rq);

    memset(c, 0, sizeof *c);
    if (err == CM_OK && path_role)
        err = role_of(rq, path_role, NULL, 1, &c->role);
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, type, NULL, allowed, &c->doc, &attrs);
    if (err == CM_OK && !path_role) {
        err = cm_json_uuid(rq, attrs, ATTR, "role-id", 1, role_id);
        if (err == CM_OK)
            err = role_of(rq, role_id, ATTR "/role-id", 1, &c->role);
    }
    if (err != CM_OK)
        return err;
    c->r = c->role.items[0];
    return orgs_target_user(rq, attrs, c->r.organization_id, &c->user);
}

static void change_release(struct role_change *c)
{
    store_role_list_free(&c->role);
    json_decref(c->doc);
}

/* Gives (add) or takes the role of c in one transaction with its event;
 * *changed says whether anything changed, ru_id (24 bytes, add only) names
 * the role_users row. */
static cm_err change_apply(PGconn *pg, const struct role_change *c, int add, int *changed,
                           char *ru_id)
{
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = add ? store_role_user_add(pg, c->r.id, c->user.id, changed, ru_id)
                  : store_role_user_remove(pg, c->r.id, c->user.id, changed);
    if (err == CM_OK && *changed)
        err = orgs_event_role(pg, c->user.id, c->r.id, c->r.name, c->r.organization_id,
                              add ? "added" : "removed");
    /* the tokens the user holds name the role: they stop, a refresh
     * issues tokens without it */
    if (err == CM_OK && *changed && !add)
        err = revoke_user_tokens(pg, c->user.id, "role_removed", REVOKE_SESSIONS_NONE, NULL);
    return cm_pg_end(pg, err);
}

/* #121 and #122: a role action answering 201 null, idempotent. */
static cm_err role_action(struct cm_req *rq, struct cm_resp *out, int add)
{
    static const char *const allowed[] = {"email", "user-id", NULL};
    struct role_change c;
    char ru_id[24];
    int changed = 0;
    cm_err err = change_read(rq, "roles", allowed, &c);

    if (err == CM_OK)
        err = change_apply(rq->w->pg, &c, add, &changed, ru_id);
    change_release(&c);
    if (err == CM_OK)
        orgs_respond_null(rq, out);
    return err;
}

cm_err roles_add_user(struct cm_req *rq, struct cm_resp *out)
{
    return role_action(rq, out, 1);
}

cm_err roles_remove_user(struct cm_req *rq, struct cm_resp *out)
{
    return role_action(rq, out, 0);
}

cm_err role_users_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"email", "role-id", "user-id", NULL};
    struct role_change c;
    char ru_id[24];
    int added = 0;
    json_t *r = NULL;
    cm_err err = change_read(rq, "role-users", allowed, &c);

    if (err == CM_OK)
        err = change_apply(rq->w->pg, &c, 1, &added, ru_id);
    if (err == CM_OK && !added)
        err = cm_fail(rq, CM_ECONFLICT, "the user already holds this role");
    if (err == CM_OK)
        r = role_json_user_resource(&(struct role_user_rec){ru_id, c.r.id, c.r.name, c.user.id,
                                                            c.user.email});
    change_release(&c);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, r ? cm_jsonapi_doc(r) : NULL);
    return err;
}

cm_err role_users_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"page[limit]", "page[offset]", "role-id", NULL};
    char role_id[CM_UUID_LEN + 1];
    long limit, offset;
    struct role_list role = {0};
    struct role_user_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "role-id", role_id);
    if (err == CM_OK && !role_id[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "role-id", "role-id is required");
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    /* Who holds a role is the organization's member list: its admins only. */
    if (err == CM_OK)
        err = role_of(rq, role_id, NULL, 1, &role);
    store_role_list_free(&role);
    if (err == CM_OK)
        err = store_role_users_list(rq->w->pg, role_id, limit, offset, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(role_json_user_list(&res)));
    store_role_user_list_free(&res);
    return CM_OK;
}
