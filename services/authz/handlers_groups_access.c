/* handlers_groups_access.c: who the caller is and what it may do with a
 * group or an individual, through engine.h's authz_check
 * (handlers_groups.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers_groups.h"
#include "store_access.h"

const char *groups_caller(const struct cm_req *rq)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    return p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && cm_uuid_valid(p->user_id)
               ? p->user_id
               : "";
}

void groups_scope_of(const struct cm_req *rq, struct gs_scope *out)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    memset(out, 0, sizeof *out);
    out->all = cm_principal_platform_admin(rq);
    snprintf(out->user_id, sizeof out->user_id, "%s", groups_caller(rq));
    if (cm_uuid_valid(p->organization_id) && cm_principal_org_admin(rq, p->organization_id))
        snprintf(out->admin_org, sizeof out->admin_org, "%s", p->organization_id);
}

cm_err groups_allowed(struct cm_req *rq, const char *org, enum authz_type type, const char *id,
                      enum authz_op op, int *out_allow)
{
    struct authz_query q;
    const char *user = groups_caller(rq);

    if (cm_principal_org_admin(rq, org)) {
        *out_allow = 1;
        return CM_OK;
    }
    if (!user[0]) {
        *out_allow = 0;
        return CM_OK;
    }
    memset(&q, 0, sizeof q);
    q.type = type;
    snprintf(q.type_name, sizeof q.type_name, "%s",
             type == AUTHZ_GROUP ? "group" : type == AUTHZ_INDIVIDUAL ? "individual" : "organization");
    snprintf(q.id, sizeof q.id, "%s", id);
    q.op = op;
    return authz_check(rq->w->pg, user, &q, 1, out_allow);
}

cm_err groups_allowed_each(struct cm_req *rq, const char *const *orgs, enum authz_type type,
                           const char *const *ids, size_t n, enum authz_op op, int *out_allow)
{
    const char *user = groups_caller(rq);
    const char **ask = cm_xcalloc(n ? n : 1, sizeof *ask);
    int *ans = cm_xcalloc(n ? n : 1, sizeof *ans);
    size_t *at = cm_xcalloc(n ? n : 1, sizeof *at), m = 0;
    cm_err err = CM_OK;

    for (size_t i = 0; i < n; i++) {
        out_allow[i] = cm_principal_org_admin(rq, orgs[i]);
        if (!out_allow[i] && user[0]) {
            at[m] = i;
            ask[m++] = ids[i];
        }
    }
    if (m)
        err = store_access_filter(rq->w->pg, user, type, op, ask, m, ans);
    for (size_t k = 0; err == CM_OK && k < m; k++)
        out_allow[at[k]] = ans[k];
    free(ask);
    free(ans);
    free(at);
    return err;
}

cm_err groups_require_org_admin(struct cm_req *rq, const char *org, const char *pointer,
                                const char *denied)
{
    int allow = 0;
    cm_err err = groups_allowed(rq, org, AUTHZ_ORGANIZATION, org, AUTHZ_WRITE, &allow);

    if (err != CM_OK || allow)
        return err;
    err = groups_allowed(rq, org, AUTHZ_ORGANIZATION, org, AUTHZ_READ, &allow);
    if (err != CM_OK)
        return err;
    return allow ? cm_fail_at(rq, CM_EDENIED, pointer, NULL, "%s", denied)
                 : cm_fail_at(rq, CM_ENOTFOUND, pointer, NULL, "no such organization");
}

cm_err groups_load(struct cm_req *rq, const char *id, const char *pointer, const char *parameter,
                   enum authz_op op, struct group_list *out)
{
    struct group_list l = {0, NULL, NULL};
    int allow = 0;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    err = id && cm_uuid_valid(id) ? gs_group_get(rq->w->pg, id, &l) : CM_ENOTFOUND;
    if (err == CM_OK) {
        err = groups_allowed(rq, l.items[0].organization_id, AUTHZ_GROUP, id, AUTHZ_READ, &allow);
        if (err == CM_OK && !allow)
            err = CM_ENOTFOUND;
    }
    if (err == CM_OK && op != AUTHZ_READ) {
        err = groups_allowed(rq, l.items[0].organization_id, AUTHZ_GROUP, id, op, &allow);
        if (err == CM_OK && !allow) {
            GS_LIST_RELEASE(&l);
            return cm_fail_at(rq, CM_EDENIED, pointer, parameter,
                              "only an administrator of the group's organization or a leader "
                              "of the group or of a group above it may change it");
        }
    }
    if (err != CM_OK) {
        GS_LIST_RELEASE(&l);
        return err == CM_ENOTFOUND ? cm_fail_at(rq, err, pointer, parameter, "no such group")
                                   : err;
    }
    if (out)
        *out = l;
    else
        GS_LIST_RELEASE(&l);
    return CM_OK;
}

cm_err groups_resolve_users(struct cm_req *rq, const char *org, const json_t *ids,
                            const json_t *emails, const char *ids_ptr, const char *emails_ptr,
                            json_t **out)
{
    json_t *users = json_array(), *v;
    char id[GS_ID_LEN], ptr[160];
    size_t i;
    cm_err err = CM_OK;

    for (int pass = 0; pass < 2 && err == CM_OK; pass++) {
        const json_t *arr = pass ? emails : ids;
        json_array_foreach(arr, i, v)
        {
            const char *s = json_string_value(v);
            err = gs_org_user(rq->w->pg, org, pass ? "" : s, pass ? s : "", id);
            snprintf(ptr, sizeof ptr, "%s/%zu", pass ? emails_ptr : ids_ptr, i);
            if (err == CM_ENOTFOUND)
                err = cm_fail_at(rq, err, ptr, NULL, "no such user in the group's organization");
            else if (err == CM_ECONFLICT)
                err = cm_fail_at(rq, CM_EINVAL, ptr, NULL,
                                 "several users of the organization have this email: give "
                                 "user-ids");
            if (err != CM_OK)
                break;
            int seen = 0;
            size_t k;
            json_t *u;
            json_array_foreach(users, k, u) seen |= !strcmp(json_string_value(u), id);
            if (!seen)
                json_array_append_new(users, json_string(id));
        }
    }
    if (err != CM_OK) {
        json_decref(users);
        return err;
    }
    *out = users;
    return CM_OK;
}

cm_err groups_check_individuals(struct cm_req *rq, const char *org, const json_t *ids,
                                const char *ptr)
{
    char item[160];
    json_t *v;
    size_t i;

    json_array_foreach(ids, i, v)
    {
        cm_err err = gs_org_individual(rq->w->pg, org, json_string_value(v));
        if (err == CM_ENOTFOUND) {
            snprintf(item, sizeof item, "%s/%zu", ptr, i);
            return cm_fail_at(rq, err, item, NULL,
                              "no such individual in the group's organization");
        }
        if (err != CM_OK)
            return err;
    }
    return CM_OK;
}
