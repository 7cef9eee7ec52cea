/* handlers_access_lists.c: the listing access operations: #10
 * authz-get-accessible-resources (body), #11 authz-individuals and #13
 * authz-resource-accessors (query string). Each answers one page of ids with
 * meta page[limit] / page[offset] / page[total]; page[limit] is 0..100000
 * (default 5000), page[offset] >= 0. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz_state.h"
#include "cm_principal.h"
#include "handlers_access.h"

#define OFFSET_MAX 2147483647L

/* Answers status with {<key>: ids as strings or {id} objects, meta}. */
static cm_err page_reply(struct cm_req *rq, struct cm_resp *out, int status, const char *key,
                         int as_objects, const struct access_page *page, long limit, long offset)
{
    json_t *ids = access_ids_json(page, as_objects);
    if (!ids)
        return CM_ENOMEM;
    cm_resp_json(out, rq, status,
                 json_pack("{s:o, s:o}", key, ids, "meta", access_page_meta(limit, offset, page->total)));
    return CM_OK;
}

/* The user's projection status (from the index); *out_none when unknown or
 * disabled (their lists are empty). */
static cm_err user_for_listing(struct cm_req *rq, const char *user_id, int *out_none,
                               int *out_platform_admin)
{
    struct access_user_rec u;
    access_index_user(authz_index_of(rq->w), user_id, &u);
    *out_none = !u.known || !u.enabled;
    *out_platform_admin = u.platform_admin;
    return CM_OK;
}

/* ---- #10 ---- */

/* The queries of #10 must all be "T::op" with one listable T (group,
 * individual, organization): the empty id is what is listed. */
static cm_err listable(struct cm_req *rq, const struct access_queries *qs, enum authz_op *ops)
{
    for (size_t i = 0; i < qs->n; i++) {
        char ptr[48];
        snprintf(ptr, sizeof ptr, "/access-query/%zu", i);
        if (qs->q[i].type != AUTHZ_GROUP && qs->q[i].type != AUTHZ_INDIVIDUAL &&
            qs->q[i].type != AUTHZ_ORGANIZATION)
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL,
                              "only group, individual and organization can be listed");
        if (qs->q[i].id[0])
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL,
                              "the id must be empty here: it is what is listed (e.g. individual::read)");
        if (qs->q[i].type != qs->q[0].type)
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "all access queries must have one type");
        ops[i] = qs->q[i].op;
    }
    return CM_OK;
}

cm_err authz_accessible_resources(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"access-query", "user-id", "organization-id",
                                          "page[limit]", "page[offset]", NULL};
    struct access_queries qs;
    struct access_page page = {0, 0, NULL};
    enum authz_op ops[AUTHZ_MAX_QUERIES];
    char user_id[CM_UUID_LEN + 1], org[CM_UUID_LEN + 1];
    json_t *body = NULL;
    long limit = 0, offset = 0;
    cm_err err = cm_req_json_object(rq, allowed, &body);

    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "user-id", 1, user_id);
    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "organization-id", 0, org);
    if (err == CM_OK)
        err = cm_json_int(rq, body, "", "page[limit]", 0, 0, ACCESS_PAGE_MAX, ACCESS_PAGE_DEFAULT, &limit);
    if (err == CM_OK)
        err = cm_json_int(rq, body, "", "page[offset]", 0, 0, OFFSET_MAX, 0, &offset);
    if (err == CM_OK)
        err = access_queries_from_json(rq, body, "", "access-query", &qs);
    if (err == CM_OK)
        err = listable(rq, &qs, ops);
    if (err == CM_OK)
        err = access_may_ask(rq, user_id, "/user-id", NULL);
    if (err == CM_OK) /* an unknown or disabled user: nothing */
        err = access_index_entities(authz_index_of(rq->w), user_id, qs.q[0].type, ops, qs.n,
                                    org[0] ? org : NULL, limit, offset, &page);
    if (err == CM_OK)
        err = page_reply(rq, out, 201, "resource-ids", 0, &page, limit, offset);
    access_page_release(&page);
    json_decref(body);
    return err;
}

/* ---- #11 ---- */

/* Reads an optional text filter of at most maxchars into buf; *out NULL
 * when absent. */
static cm_err text_filter(struct cm_req *rq, const char *name, size_t maxchars, char *buf,
                          size_t cap, const char **out)
{
    cm_err err = cm_query_text(rq, name, maxchars, buf, cap);
    *out = (err == CM_OK && cm_query_get(rq, name, buf, cap) == 1) ? buf : NULL;
    return err;
}

static cm_err bool_filter(struct cm_req *rq, const char *name, const char **out)
{
    int v = -1;
    cm_err err = cm_query_bool(rq, name, -1, &v);
    *out = v < 0 ? NULL : v ? "true" : "false";
    return err;
}

static cm_err uuid_filter(struct cm_req *rq, const char *name, char *buf, const char **out)
{
    cm_err err = cm_query_uuid(rq, name, buf);
    *out = (err == CM_OK && buf[0]) ? buf : NULL;
    return err;
}

#define LIST_MAX 100 /* uuids of one list parameter */

/* A uuid list (repeated and/or comma-separated) as Postgres array text. */
struct uuid_list {
    size_t n, max;
    char ids[LIST_MAX][CM_UUID_LEN + 1];
    char pg[LIST_MAX * (CM_UUID_LEN + 1) + 3];
};

static cm_err uuid_list_each(struct cm_req *rq, const char *value, void *ctx)
{
    struct uuid_list *l = ctx;
    (void)rq;
    return access_uuid_list_add(value, l->ids, l->max, &l->n);
}

/* Reads list parameter name (at most max uuids, at least min) into l. */
static cm_err uuid_list_param(struct cm_req *rq, const char *name, size_t min, size_t max,
                              struct uuid_list *l)
{
    size_t len = 0;
    l->n = 0;
    l->max = max;
    if (cm_query_each(rq, name, max * (CM_UUID_LEN + 1), uuid_list_each, l) != CM_OK ||
        l->n < min)
        return cm_fail_at(rq, CM_EINVAL, NULL, name, "%s must be a list of %zu to %zu uuids", name,
                          min, max);
    l->pg[len++] = '{';
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            l->pg[len++] = ',';
        memcpy(l->pg + len, l->ids[i], CM_UUID_LEN);
        len += CM_UUID_LEN;
    }
    l->pg[len++] = '}';
    l->pg[len] = '\0';
    return CM_OK;
}

/* operation=read|write (required) */
static cm_err operation_param(struct cm_req *rq, enum authz_op *out)
{
    char op[16];
    int rc = cm_query_get(rq, "operation", op, sizeof op);
    if (rc == 1 && strcmp(op, "read") == 0)
        *out = AUTHZ_READ;
    else if (rc == 1 && strcmp(op, "write") == 0)
        *out = AUTHZ_WRITE;
    else
        return cm_fail_at(rq, CM_EINVAL, NULL, "operation", "operation must be read or write");
    return CM_OK;
}

static cm_err required_uuid(struct cm_req *rq, const char *name, char *buf)
{
    cm_err err = cm_query_uuid(rq, name, buf);
    if (err == CM_OK && !buf[0])
        return cm_fail_at(rq, CM_EINVAL, NULL, name, "%s is required", name);
    return err;
}

cm_err authz_individuals(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {
        "operation", "user-id", "filter[account-type]", "filter[birth-date]",
        "filter[email-verified]", "filter[email]", "filter[exclude-owner-ids]",
        "filter[first-name]", "filter[group-id]", "filter[group-members-with-leader-id]",
        "filter[last-name]", "filter[organization-id]", "filter[phone-verified]", "filter[phone]",
        "filter[registered]", "page[limit]", "page[offset]", NULL};
    struct individual_filters f;
    struct access_page page = {0, 0, NULL};
    struct uuid_list *owners = calloc(1, sizeof *owners);
    char user_id[CM_UUID_LEN + 1], group[CM_UUID_LEN + 1], leader[CM_UUID_LEN + 1],
        org[CM_UUID_LEN + 1], date[16];
    char account_type[10 * 4 + 1], email[255 * 4 + 1], first[255 * 4 + 1], last[255 * 4 + 1],
        phone[255 * 4 + 1];
    enum authz_op op = AUTHZ_READ;
    long limit = 0, offset = 0;
    int none = 0, padmin = 0;
    cm_err err = owners ? cm_query_known(rq, known) : CM_ENOMEM;

    memset(&f, 0, sizeof f);
    if (err == CM_OK)
        err = operation_param(rq, &op);
    if (err == CM_OK)
        err = required_uuid(rq, "user-id", user_id);
    if (err == CM_OK)
        err = text_filter(rq, "filter[account-type]", 10, account_type, sizeof account_type,
                          &f.account_type);
    if (err == CM_OK) {
        int rc = cm_query_get(rq, "filter[birth-date]", date, sizeof date);
        if (rc == 1 && access_date_valid(date))
            f.birth_date = date;
        else if (rc != 0)
            err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[birth-date]",
                             "filter[birth-date] must be a date (YYYY-MM-DD)");
    }
    if (err == CM_OK)
        err = bool_filter(rq, "filter[email-verified]", &f.email_verified);
    if (err == CM_OK)
        err = text_filter(rq, "filter[email]", 255, email, sizeof email, &f.email);
    if (err == CM_OK && cm_query_get(rq, "filter[exclude-owner-ids]", owners->pg,
                                     sizeof owners->pg) != 0) { /* given, maybe malformed */
        err = uuid_list_param(rq, "filter[exclude-owner-ids]", 1, LIST_MAX, owners);
        f.exclude_owner_ids = owners->pg;
    }
    if (err == CM_OK)
        err = text_filter(rq, "filter[first-name]", 255, first, sizeof first, &f.first_name);
    if (err == CM_OK)
        err = uuid_filter(rq, "filter[group-id]", group, &f.group_id);
    if (err == CM_OK)
        err = uuid_filter(rq, "filter[group-members-with-leader-id]", leader, &f.leader_id);
    if (err == CM_OK)
        err = text_filter(rq, "filter[last-name]", 255, last, sizeof last, &f.last_name);
    if (err == CM_OK)
        err = uuid_filter(rq, "filter[organization-id]", org, &f.organization_id);
    if (err == CM_OK)
        err = bool_filter(rq, "filter[phone-verified]", &f.phone_verified);
    if (err == CM_OK)
        err = text_filter(rq, "filter[phone]", 255, phone, sizeof phone, &f.phone);
    if (err == CM_OK)
        err = bool_filter(rq, "filter[registered]", &f.registered);
    if (err == CM_OK)
        err = cm_query_page(rq, ACCESS_PAGE_DEFAULT, 0, ACCESS_PAGE_MAX, &limit, &offset);
    if (err == CM_OK)
        err = access_may_ask(rq, user_id, NULL, "user-id");
    if (err == CM_OK)
        err = user_for_listing(rq, user_id, &none, &padmin);
    if (err == CM_OK && none)
        page.n = 0; /* nobody: nothing */
    else if (err == CM_OK)
        err = access_individuals_page(rq->w->pg, user_id, padmin, op, &f, limit, offset, &page);
    if (err == CM_OK)
        err = page_reply(rq, out, 200, "resource-ids", 0, &page, limit, offset);
    access_page_release(&page);
    free(owners);
    return err;
}

/* ---- #13 ---- */

/* Who may list the accessors of resources: the platform admin; an
 * organization admin whose current organization owns every resource; a
 * user who may read every resource themselves. Otherwise 404 naming
 * resource-id. */
static cm_err may_list_accessors(struct cm_req *rq, enum authz_type type,
                                 const struct uuid_list *ids)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    struct authz_query q;
    int allow = 1;
    cm_err err = cm_principal_require(rq);
    if (err != CM_OK || cm_principal_platform_admin(rq))
        return err;
    if (type == AUTHZ_ORGANIZATION && cm_principal_has_role(rq, "admin")) {
        size_t i = 0;
        while (i < ids->n && strcmp(ids->ids[i], p->organization_id) == 0)
            i++;
        if (i == ids->n)
            return CM_OK;
    }
    if (type == AUTHZ_INDIVIDUAL && cm_principal_has_role(rq, "admin") &&
        cm_uuid_valid(p->organization_id)) {
        int owned = 0;
        err = store_access_all_owned_by(rq->w->pg, ids->pg, p->organization_id, &owned);
        if (err != CM_OK || owned)
            return err;
    }
    for (size_t i = 0; i < ids->n && allow && err == CM_OK; i++) {
        memset(&q, 0, sizeof q);
        q.type = type;
        q.op = AUTHZ_READ;
        memcpy(q.id, ids->ids[i], CM_UUID_LEN + 1);
        if (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER)
            err = access_index_check(authz_index_of(rq->w), p->user_id, &q, 1, &allow);
        else
            allow = 0;
    }
    if (err == CM_OK && !allow)
        return cm_fail_at(rq, CM_ENOTFOUND, NULL, "resource-id", "no such resource");
    return err;
}

/* The accessors of ids, from the index. */
static cm_err accessors_page(struct cm_req *rq, enum authz_type type, enum authz_op op,
                             const struct uuid_list *ids, const char *org, long limit, long offset,
                             struct access_page *page)
{
    const char *each[LIST_MAX];
    for (size_t i = 0; i < ids->n; i++)
        each[i] = ids->ids[i];
    return access_index_accessors(authz_index_of(rq->w), type, op, each, ids->n, org, limit,
                                  offset, page);
}

cm_err authz_resource_accessors(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"operation", "resource-id", "resource-type",
                                        "organization-id", "page[limit]", "page[offset]", NULL};
    struct uuid_list *ids = calloc(1, sizeof *ids);
    struct access_page page = {0, 0, NULL};
    char type_s[16], org[CM_UUID_LEN + 1];
    enum authz_type type = AUTHZ_INDIVIDUAL;
    enum authz_op op = AUTHZ_READ;
    long limit = 0, offset = 0;
    cm_err err = ids ? cm_query_known(rq, known) : CM_ENOMEM;

    if (err == CM_OK)
        err = operation_param(rq, &op);
    if (err == CM_OK)
        err = uuid_list_param(rq, "resource-id", 1, ACCESS_RESOURCE_IDS_MAX, ids);
    if (err == CM_OK) {
        int rc = cm_query_get(rq, "resource-type", type_s, sizeof type_s);
        if (rc == 1 && strcmp(type_s, "individual") == 0)
            type = AUTHZ_INDIVIDUAL;
        else if (rc == 1 && strcmp(type_s, "organization") == 0)
            type = AUTHZ_ORGANIZATION;
        else
            err = cm_fail_at(rq, CM_EINVAL, NULL, "resource-type",
                             "resource-type must be individual or organization");
    }
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", org);
    if (err == CM_OK)
        err = cm_query_page(rq, ACCESS_PAGE_DEFAULT, 0, ACCESS_PAGE_MAX, &limit, &offset);
    if (err == CM_OK)
        err = may_list_accessors(rq, type, ids);
    if (err == CM_OK)
        err = accessors_page(rq, type, op, ids, org[0] ? org : NULL, limit, offset, &page);
    if (err == CM_OK)
        err = page_reply(rq, out, 200, "data", 1, &page, limit, offset);
    access_page_release(&page);
    free(ids);
    return err;
}
