/* handlers_access.c: the access checks over HTTP: #12 authz-resource-access
 * (one user, queries ANDed) and #15 bulk-authz-resource-access (several
 * users, combined or one answer per query). Answered from the in-memory
 * access index (access_index.h), without a statement. */
#include <stdio.h>
#include <string.h>

#include "authz_state.h"
#include "handlers_access.h"

/* #12 */
cm_err authz_resource_access(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"access-query", "user-id", NULL};
    struct access_queries qs;
    char user_id[CM_UUID_LEN + 1];
    json_t *body = NULL;
    int allow = 0;
    cm_err err = cm_req_json_object(rq, allowed, &body);

    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "user-id", 1, user_id);
    if (err == CM_OK)
        err = access_queries_from_json(rq, body, "", "access-query", &qs);
    if (err == CM_OK)
        err = access_may_ask(rq, user_id, "/user-id", NULL);
    if (err == CM_OK)
        err = access_index_check(authz_index_of(rq->w), user_id, qs.q, qs.n, &allow);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, json_pack("{s:b}", "allow", allow));
    json_decref(body);
    return err;
}

/* The user-ids of a bulk request, checked for form and for who may ask. */
static cm_err bulk_users(struct cm_req *rq, const json_t *req,
                         char (*ids)[CM_UUID_LEN + 1], size_t *out_n)
{
    const json_t *arr = json_object_get(req, "user-ids");
    char ptr[64];
    size_t n;
    if (!arr || json_is_null(arr))
        return cm_fail_at(rq, CM_EINVAL, "/multi-user-ids/user-ids", NULL, "user-ids is required");
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > ACCESS_BULK_USERS_MAX)
        return cm_fail_at(rq, CM_EINVAL, "/multi-user-ids/user-ids", NULL,
                          "user-ids must be an array of 1 to %d uuids", ACCESS_BULK_USERS_MAX);
    n = json_array_size(arr);
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        snprintf(ptr, sizeof ptr, "/multi-user-ids/user-ids/%zu", i);
        if (!s || !cm_uuid_valid(s))
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "user-ids items must be uuids");
        memcpy(ids[i], s, CM_UUID_LEN + 1);
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(ptr, sizeof ptr, "/multi-user-ids/user-ids/%zu", i);
        cm_err err = access_may_ask(rq, ids[i], ptr, NULL);
        if (err != CM_OK)
            return err;
    }
    *out_n = n;
    return CM_OK;
}

/* One answer: {access-query: [texts], allow, user-id}; queries [first, first+n). */
static int bulk_answer(json_t *answers, const struct access_queries *qs, size_t first, size_t n,
                       const char *user_id, int allow)
{
    json_t *texts = json_array();
    for (size_t i = first; texts && i < first + n; i++)
        if (json_array_append_new(texts, json_string(qs->text[i])))
            break;
    return json_array_append_new(answers, json_pack("{s:o?, s:b, s:s}", "access-query", texts,
                                                    "allow", allow, "user-id", user_id));
}

/* #15 */
cm_err authz_bulk_resource_access(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"multi-user-ids", NULL};
    static const char *const inner[] = {"access-query", "individually", "user-ids"};
    char ids[ACCESS_BULK_USERS_MAX][CM_UUID_LEN + 1];
    struct access_queries qs;
    json_t *body = NULL, *req, *answers = NULL;
    const char *key;
    json_t *val;
    size_t nusers = 0;
    int individually = 0;
    cm_err err = cm_req_json_object(rq, allowed, &body);

    if (err != CM_OK)
        return err;
    req = json_object_get(body, "multi-user-ids");
    if (!json_is_object(req)) {
        err = cm_fail_at(rq, CM_EINVAL, "/multi-user-ids", NULL,
                         "multi-user-ids is required and must be an object");
        goto done;
    }
    json_object_foreach(req, key, val) {
        size_t k = 0;
        while (k < sizeof inner / sizeof inner[0] && strcmp(inner[k], key) != 0)
            k++;
        if (k == sizeof inner / sizeof inner[0]) {
            char ptr[128];
            snprintf(ptr, sizeof ptr, "/multi-user-ids/%.100s", key);
            err = cm_fail_at(rq, CM_EINVAL, ptr, NULL, "unknown member");
            goto done;
        }
    }
    err = cm_json_bool(rq, req, "/multi-user-ids", "individually", 0, 0, &individually);
    if (err == CM_OK)
        err = access_queries_from_json(rq, req, "/multi-user-ids", "access-query", &qs);
    if (err == CM_OK)
        err = bulk_users(rq, req, ids, &nusers);
    if (err != CM_OK)
        goto done;
    answers = json_array();
    for (size_t u = 0; u < nusers && err == CM_OK; u++) {
        size_t groups = individually ? qs.n : 1, per = individually ? 1 : qs.n;
        for (size_t g = 0; g < groups && err == CM_OK; g++) {
            int allow = 0;
            err = access_index_check(authz_index_of(rq->w), ids[u], &qs.q[g * per], per, &allow);
            if (err == CM_OK && bulk_answer(answers, &qs, g * per, per, ids[u], allow))
                err = CM_ENOMEM;
        }
    }
    if (err == CM_OK) {
        cm_resp_json(out, rq, 201, json_pack("{s:o}", "access-queries", answers));
        answers = NULL;
    }
done:
    json_decref(answers);
    json_decref(body);
    return err;
}
