/* handlers_access_input.c: reading the inputs of the access operations and
 * RPCs (lists of access queries, lists of uuids, dates) and shaping their
 * outputs (page meta, id arrays). Everything here but
 * access_queries_from_json is pure. */
#include <stdio.h>
#include <string.h>

#include "handlers_access.h"

cm_err access_queries_parse(const char *const *strs, size_t n, struct access_queries *out,
                            size_t *out_bad, char *err, size_t errlen)
{
    if (n == 0 || n > AUTHZ_MAX_QUERIES) {
        *out_bad = n;
        snprintf(err, errlen, n ? "at most %d access queries" : "at least one access query is required",
                 AUTHZ_MAX_QUERIES);
        return CM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (authz_query_parse(strs[i], &out->q[i], err, errlen) != CM_OK) {
            *out_bad = i;
            return CM_EINVAL;
        }
        out->text[i] = strs[i];
    }
    out->n = n;
    return CM_OK;
}

cm_err access_queries_from_json(struct cm_req *rq, const json_t *obj, const char *prefix,
                                const char *name, struct access_queries *out)
{
    char ptr[128], err[160];
    const char *strs[AUTHZ_MAX_QUERIES] = {NULL};
    const json_t *arr = json_object_get(obj, name);
    size_t n, bad;

    snprintf(ptr, sizeof ptr, "%s/%s", prefix, name);
    if (!arr || json_is_null(arr))
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s is required", name);
    if (!json_is_array(arr))
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s must be an array of strings", name);
    n = json_array_size(arr);
    for (size_t i = 0; i < n && i < AUTHZ_MAX_QUERIES; i++) {
        const json_t *s = json_array_get(arr, i);
        if (!json_is_string(s)) {
            snprintf(ptr, sizeof ptr, "%s/%s/%zu", prefix, name, i);
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s items must be strings", name);
        }
        strs[i] = json_string_value(s);
    }
    if (access_queries_parse(strs, n, out, &bad, err, sizeof err) != CM_OK) {
        if (bad < n)
            snprintf(ptr, sizeof ptr, "%s/%s/%zu", prefix, name, bad);
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s", err);
    }
    return CM_OK;
}

cm_err access_uuid_list_add(const char *value, char (*out)[CM_UUID_LEN + 1], size_t max,
                            size_t *n)
{
    const char *p = value;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[CM_UUID_LEN + 1];
        if (len != CM_UUID_LEN || *n >= max)
            return CM_EINVAL;
        memcpy(item, p, len);
        item[len] = '\0';
        if (!cm_uuid_valid(item))
            return CM_EINVAL;
        memcpy(out[(*n)++], item, CM_UUID_LEN + 1);
        if (!end)
            return CM_OK;
        p = end + 1;
    }
}

int access_date_valid(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return 0;
    return 1;
}

json_t *access_page_meta(long limit, long offset, long total)
{
    return json_pack("{s:I, s:I, s:I}", "page[limit]", (json_int_t)limit, "page[offset]",
                     (json_int_t)offset, "page[total]", (json_int_t)total);
}

json_t *access_ids_json(const struct access_page *page, int as_objects)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < page->n; i++)
        json_array_append_new(arr, as_objects ? json_pack("{s:s}", "id", page->ids[i])
                                              : json_string(page->ids[i]));
    return arr;
}
