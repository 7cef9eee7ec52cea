/* cm_jsonapi.c: query-parameter and JSON:API body readers with their
 * validation, and resource-document builders (see cm_jsonapi.h). */
#include "cm_jsonapi.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_body.h"

int cm_uuid_valid(const char *s)
{
    if (!s || strlen(s) != CM_UUID_LEN)
        return 0;
    for (int i = 0; i < CM_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Decodes src[0..n) into dst (cap bytes, NUL-terminated). Returns the
 * length, or -1 when malformed or too long. */
static long decode(const char *src, size_t n, char *dst, size_t cap)
{
    char *tmp;
    size_t len;
    long rc = -1;

    tmp = cm_xmalloc(n + 1);
    len = cm_percent_decode(tmp, src, n, 1);
    if (len != SIZE_MAX && len < cap && !memchr(tmp, '\0', len) &&
        cm_utf8_valid((const unsigned char *)tmp, len)) {
        memcpy(dst, tmp, len);
        dst[len] = '\0';
        rc = (long)len;
    }
    free(tmp);
    return rc;
}

/* Calls visit for every key=value pair of the query with the raw key and
 * value spans; stops when visit returns non-zero and returns that. */
static int each_pair(const char *q, int (*visit)(const char *k, size_t kn, const char *v,
                                                 size_t vn, void *ctx),
                     void *ctx)
{
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        size_t kn = eq ? (size_t)(eq - q) : n;
        int rc = 0;
        if (n > 0)
            rc = visit(q, kn, eq ? eq + 1 : q + n, eq ? n - kn - 1 : 0, ctx);
        if (rc)
            return rc;
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

struct find {
    const char *name;
    char *buf;
    size_t cap;
    int found;
};

/* 1 when the raw key k decodes to name. */
static int key_is(const char *k, size_t kn, const char *name)
{
    char key[128];
    return decode(k, kn, key, sizeof key) >= 0 && !strcmp(key, name);
}

static int find_visit(const char *k, size_t kn, const char *v, size_t vn, void *ctx)
{
    struct find *f = ctx;
    if (!key_is(k, kn, f->name))
        return 0;
    f->found = decode(v, vn, f->buf, f->cap) >= 0 ? 1 : -1;
    return 1;
}

int cm_query_get(const struct cm_req *rq, const char *name, char *buf, size_t cap)
{
    struct find f = {name, buf, cap, 0};
    each_pair(rq->http->query, find_visit, &f);
    return f.found;
}

struct each {
    struct cm_req *rq;
    const char *name;
    size_t maxchars;
    cm_err (*fn)(struct cm_req *rq, const char *value, void *ctx);
    void *ctx;
    cm_err err;
};

static int each_visit(const char *k, size_t kn, const char *v, size_t vn, void *ctx)
{
    struct each *e = ctx;
    char *buf;
    size_t cap = e->maxchars * 4 + 1;

    if (!key_is(k, kn, e->name))
        return 0;
    buf = cm_xmalloc(cap);
    if (decode(v, vn, buf, cap) < 0 || cm_body_utf8_chars(buf) > e->maxchars)
        e->err = cm_fail_at(e->rq, CM_EINVAL, NULL, e->name,
                            "%s must be text of at most %zu characters", e->name, e->maxchars);
    else
        e->err = e->fn(e->rq, buf, e->ctx);
    free(buf);
    return e->err != CM_OK;
}

cm_err cm_query_each(struct cm_req *rq, const char *name, size_t maxchars,
                     cm_err (*fn)(struct cm_req *rq, const char *value, void *ctx), void *ctx)
{
    struct each e = {rq, name, maxchars, fn, ctx, CM_OK};
    each_pair(rq->http->query, each_visit, &e);
    return e.err;
}

struct known {
    const char *const *allowed;
    char bad[128];
};

static int known_visit(const char *k, size_t kn, const char *v, size_t vn, void *ctx)
{
    struct known *kw = ctx;
    (void)v;
    (void)vn;
    if (decode(k, kn, kw->bad, sizeof kw->bad) < 0) {
        snprintf(kw->bad, sizeof kw->bad, "(malformed)");
        return 1;
    }
    for (const char *const *a = kw->allowed; *a; a++)
        if (!strcmp(*a, kw->bad))
            return 0;
    return 1;
}

cm_err cm_query_known(struct cm_req *rq, const char *const *allowed)
{
    struct known kw = {allowed, ""};
    if (each_pair(rq->http->query, known_visit, &kw))
        return cm_fail_at(rq, CM_EINVAL, NULL, kw.bad, "unknown query parameter");
    return CM_OK;
}

cm_err cm_query_int(struct cm_req *rq, const char *name, long min, long max, long def,
                    long *out)
{
    char buf[32], *end;
    long v;
    int rc = cm_query_get(rq, name, buf, sizeof buf);

    if (rc == 0) {
        *out = def;
        return CM_OK;
    }
    errno = 0;
    v = rc > 0 ? strtol(buf, &end, 10) : 0;
    if (rc < 0 || !buf[0] || *end || errno || v < min || v > max)
        return cm_fail_at(rq, CM_EINVAL, NULL, name, "%s must be an integer from %ld to %ld",
                          name, min, max);
    *out = v;
    return CM_OK;
}

cm_err cm_query_bool(struct cm_req *rq, const char *name, int def, int *out)
{
    char buf[8];
    int rc = cm_query_get(rq, name, buf, sizeof buf);

    if (rc == 0) {
        *out = def;
        return CM_OK;
    }
    if (rc > 0 && (!strcmp(buf, "true") || !strcmp(buf, "1"))) {
        *out = 1;
        return CM_OK;
    }
    if (rc > 0 && (!strcmp(buf, "false") || !strcmp(buf, "0"))) {
        *out = 0;
        return CM_OK;
    }
    return cm_fail_at(rq, CM_EINVAL, NULL, name, "%s must be true or false", name);
}

cm_err cm_query_uuid(struct cm_req *rq, const char *name, char *out)
{
    char buf[CM_UUID_LEN + 2];
    int rc = cm_query_get(rq, name, buf, sizeof buf);

    out[0] = '\0';
    if (rc == 0)
        return CM_OK;
    if (rc < 0 || !cm_uuid_valid(buf))
        return cm_fail_at(rq, CM_EINVAL, NULL, name, "%s must be a uuid", name);
    memcpy(out, buf, CM_UUID_LEN + 1);
    return CM_OK;
}

cm_err cm_query_text(struct cm_req *rq, const char *name, size_t maxchars, char *buf,
                     size_t cap)
{
    int rc = cm_query_get(rq, name, buf, cap);

    if (rc == 0)
        buf[0] = '\0';
    if (rc < 0 || (rc > 0 && cm_body_utf8_chars(buf) > maxchars)) {
        buf[0] = '\0';
        return cm_fail_at(rq, CM_EINVAL, NULL, name,
                          "%s must be text of at most %zu characters", name, maxchars);
    }
    return CM_OK;
}

cm_err cm_query_page(struct cm_req *rq, long def_limit, long min_limit, long max_limit,
                     long *out_limit, long *out_offset)
{
    cm_err err = cm_query_int(rq, "page[limit]", min_limit, max_limit, def_limit, out_limit);
    if (err == CM_OK)
        err = cm_query_int(rq, "page[offset]", 0, 1000000000L, 0, out_offset);
    return err;
}

/* Reads n digits at *p into *out and advances; 0 when they are not there. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

static int days_in(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

cm_err cm_cmp_time_parse(const char *s, int allow_eq, char op[3], char out[CM_TIME_LEN])
{
    int y, mo, d, h = 0, mi = 0, sec = 0, micro = 0, off = 0, oh, om;
    size_t n = (s[0] == '<' || s[0] == '>') ? (allow_eq && s[1] == '=' ? 2 : 1) : 0;
    const char *p = s + n;
    struct tm tm = {0};
    char buf[96];
    time_t t;

    if (n == 0 || strlen(s) > 40)
        return CM_EINVAL;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo))
        return CM_EINVAL;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || h > 23 || mi > 59)
            return CM_EINVAL;
        if (*p == ':' && (p++, !digits(&p, 2, &sec) || sec > 59))
            return CM_EINVAL;
        if (*p == '.') {
            int n = 0;
            for (p++; isdigit((unsigned char)*p); p++, n++)
                if (n < 6)
                    micro = micro * 10 + (*p - '0');
            if (n == 0)
                return CM_EINVAL;
            for (; n < 6; n++)
                micro *= 10;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-' || *p == ' ') {
            int sign = *p++ == '-' ? -1 : 1;
            if (!digits(&p, 2, &oh) || (*p == ':' && !*++p) || !digits(&p, 2, &om) || oh > 23 ||
                om > 59)
                return CM_EINVAL;
            off = sign * (oh * 3600 + om * 60);
        } else {
            return CM_EINVAL; /* a time needs its offset */
        }
    }
    if (*p)
        return CM_EINVAL;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm) - off;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
        return CM_EINVAL;
    if (snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 micro) >= CM_TIME_LEN)
        return CM_EINVAL;
    memcpy(out, buf, CM_TIME_LEN);
    memcpy(op, s, n);
    op[n] = '\0';
    return CM_OK;
}

/* JSON pointer prefix/name into buf. */
static const char *pointer(char *buf, size_t cap, const char *prefix, const char *name)
{
    snprintf(buf, cap, "%s/%s", prefix, name);
    return buf;
}

cm_err cm_req_jsonapi(struct cm_req *rq, const char *type, const char *id,
                      const char *const *allowed, json_t **out_doc, json_t **out_attrs)
{
    static const char *const top[] = {"data", "meta", NULL};
    json_t *doc = NULL, *data, *t, *i, *attrs, *value;
    const char *key;
    char ptr[128];
    cm_err err;

    err = cm_req_json_object(rq, top, &doc);
    if (err != CM_OK)
        return err;
    data = json_object_get(doc, "data");
    if (!json_is_object(data)) {
        err = cm_fail_at(rq, CM_EINVAL, "/data", NULL, "data must be an object");
        goto done;
    }
    if (json_object_get(doc, "meta") && !json_is_object(json_object_get(doc, "meta"))) {
        err = cm_fail_at(rq, CM_EINVAL, "/meta", NULL, "meta must be an object");
        goto done;
    }
    json_object_foreach(data, key, value)
    {
        if (strcmp(key, "type") && strcmp(key, "id") && strcmp(key, "attributes") &&
            strcmp(key, "relationships") && strcmp(key, "meta")) {
            err = cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, "/data", key), NULL,
                             "unknown field");
            goto done;
        }
    }
    t = json_object_get(data, "type");
    if (!json_is_string(t) || strcmp(json_string_value(t), type)) {
        err = cm_fail_at(rq, CM_EINVAL, "/data/type", NULL, "data.type must be \"%s\"", type);
        goto done;
    }
    i = json_object_get(data, "id");
    if (id && (!json_is_string(i) || strcmp(json_string_value(i), id))) {
        err = cm_fail_at(rq, CM_EINVAL, "/data/id", NULL,
                         "data.id must be the id of the resource in the path");
        goto done;
    }
    if (!id && i && !json_is_null(i)) {
        err = cm_fail_at(rq, CM_EINVAL, "/data/id", NULL, "data.id is not allowed here");
        goto done;
    }
    attrs = json_object_get(data, "attributes");
    if (!attrs) {
        attrs = json_object();
        json_object_set_new(data, "attributes", attrs);
    }
    if (!json_is_object(attrs)) {
        err = cm_fail_at(rq, CM_EINVAL, "/data/attributes", NULL,
                         "data.attributes must be an object");
        goto done;
    }
    json_object_foreach(attrs, key, value)
    {
        int known = 0;
        for (const char *const *a = allowed; *a && !known; a++)
            known = !strcmp(*a, key);
        if (!known) {
            err = cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, "/data/attributes", key),
                             NULL, "unknown attribute");
            goto done;
        }
    }
    *out_doc = doc;
    *out_attrs = attrs;
    return CM_OK;
done:
    json_decref(doc);
    return err;
}

/* The member, or NULL when absent or null. */
static json_t *given(const json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return json_is_null(v) ? NULL : v;
}

/* For a member not given: CM_EINVAL naming it when required, else CM_OK. */
static cm_err absent(struct cm_req *rq, const char *prefix, const char *name, int required)
{
    char ptr[128];

    if (!required)
        return CM_OK;
    return cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, prefix, name), NULL,
                      "%s is required", name);
}

cm_err cm_json_str(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                   int required, int allow_empty, size_t maxchars, const char **out)
{
    json_t *v = given(obj, name);
    size_t chars;
    char ptr[128];

    *out = NULL;
    if (!v)
        return absent(rq, prefix, name, required);
    if (!json_is_string(v))
        return cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, prefix, name), NULL,
                          "%s must be a string", name);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, prefix, name), NULL,
                          "%s must not contain NUL characters", name);
    chars = cm_body_utf8_chars(json_string_value(v));
    if ((!allow_empty && chars == 0) || chars > maxchars)
        return cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, prefix, name), NULL,
                          "%s must have %d to %zu characters", name, allow_empty ? 0 : 1,
                          maxchars);
    *out = json_string_value(v);
    return CM_OK;
}

cm_err cm_json_uuid(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                    int required, char *out)
{
    const char *s;
    char ptr[128];
    cm_err err = cm_json_str(rq, obj, prefix, name, required, 0, 64, &s);

    out[0] = '\0';
    if (err != CM_OK || !s)
        return err;
    if (!cm_uuid_valid(s))
        return cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, prefix, name), NULL,
                          "%s must be a uuid", name);
    memcpy(out, s, CM_UUID_LEN + 1);
    return CM_OK;
}

cm_err cm_json_owner_org(struct cm_req *rq, const json_t *obj, const char *prefix, int create,
                         const char *what, const char **out)
{
    char ptr[128];
    cm_err err = cm_json_str(rq, obj, prefix, "organization-id", 0, 0, CM_UUID_LEN, out);

    pointer(ptr, sizeof ptr, prefix, "organization-id");
    if (err == CM_OK && *out && !cm_uuid_valid(*out))
        err = cm_fail_at(rq, CM_EINVAL, ptr, NULL, "must be a uuid");
    if (err == CM_OK && create && !*out)
        err = cm_fail_at(rq, CM_EINVAL, ptr, NULL, "is required");
    if (err == CM_OK && !create && *out)
        err = cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s cannot move to another organization", what);
    return err;
}

cm_err cm_json_bool(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                    int required, int def, int *out)
{
    json_t *v = given(obj, name);
    char ptr[128];

    if (!v && required)
        return absent(rq, prefix, name, required);
    if (v && !json_is_boolean(v))
        return cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, prefix, name), NULL,
                          "%s must be a boolean", name);
    *out = v ? json_is_true(v) : def;
    return CM_OK;
}

cm_err cm_json_int(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                   int required, long min, long max, long def, long *out)
{
    json_t *v = given(obj, name);
    char ptr[128];

    if (!v && required)
        return absent(rq, prefix, name, required);
    if (v && (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max))
        return cm_fail_at(rq, CM_EINVAL, pointer(ptr, sizeof ptr, prefix, name), NULL,
                          "%s must be an integer from %ld to %ld", name, min, max);
    *out = v ? (long)json_integer_value(v) : def;
    return CM_OK;
}

json_t *cm_jsonapi_resource(const char *type, const char *id, json_t *attrs)
{
    return json_pack("{s:s, s:s, s:o}", "type", type, "id", id, "attributes",
                     attrs ? attrs : json_object());
}

json_t *cm_jsonapi_doc(json_t *data)
{
    return json_pack("{s:o, s:{}}", "data", data ? data : json_null(), "meta");
}

json_t *cm_json_str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *cm_jsonapi_error_doc(int status, const char *code, const char *detail,
                             const char *pointer, json_t *meta)
{
    json_t *err = json_pack("{s:i, s:s, s:s}", "status", status, "code", code, "detail", detail);

    if (!err) {
        json_decref(meta);
        return NULL;
    }
    if (pointer)
        json_object_set_new(err, "source", json_pack("{s:s}", "pointer", pointer));
    if (meta)
        json_object_set_new(err, "meta", meta);
    return json_pack("{s:[o]}", "errors", err);
}
