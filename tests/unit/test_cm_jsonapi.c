/* test_cm_jsonapi.c: the query-parameter and JSON:API body readers: values,
 * defaults, limits, and the detail and source recorded on bad input. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "cm_jsonapi.h"

/* A request with query q and body b (JSON), as a handler would see it. */
struct fixture {
    Envelope__HttpRequest http;
    struct cm_req rq;
};

static void make(struct fixture *f, const char *q, const char *b)
{
    memset(f, 0, sizeof *f);
    envelope__http_request__init(&f->http);
    f->http.query = (char *)(q ? q : "");
    f->http.body.data = (uint8_t *)(b ? b : "");
    f->http.body.len = b ? strlen(b) : 0;
    f->rq.http = &f->http;
}

Test(cm_jsonapi, uuid_validity)
{
    cr_assert(cm_uuid_valid("11111111-1111-1111-1111-111111111111"));
    cr_assert(cm_uuid_valid("ABCDEF01-2345-6789-abcd-ef0123456789"));
    cr_assert(not(cm_uuid_valid("11111111-1111-1111-1111-11111111111")));
    cr_assert(not(cm_uuid_valid("11111111x1111-1111-1111-111111111111")));
    cr_assert(not(cm_uuid_valid("g1111111-1111-1111-1111-111111111111")));
    cr_assert(not(cm_uuid_valid("")));
    cr_assert(not(cm_uuid_valid(NULL)));
}

Test(cm_jsonapi, query_get_decodes_keys_and_values)
{
    struct fixture f;
    char buf[64];
    make(&f, "a=1&page%5Blimit%5D=20&text=hello+world%21&a=2&flag", NULL);
    cr_assert(eq(int, cm_query_get(&f.rq, "page[limit]", buf, sizeof buf), 1));
    cr_assert(eq(str, buf, "20"));
    cr_assert(eq(int, cm_query_get(&f.rq, "text", buf, sizeof buf), 1));
    cr_assert(eq(str, buf, "hello world!"));
    cr_assert(eq(int, cm_query_get(&f.rq, "a", buf, sizeof buf), 1));
    cr_assert(eq(str, buf, "1"), "the first occurrence wins");
    cr_assert(eq(int, cm_query_get(&f.rq, "flag", buf, sizeof buf), 1));
    cr_assert(eq(str, buf, ""));
    cr_assert(eq(int, cm_query_get(&f.rq, "missing", buf, sizeof buf), 0));
}

Test(cm_jsonapi, query_get_refuses_malformed_values)
{
    struct fixture f;
    char buf[8];
    make(&f, "bad=%ZZ&nul=a%00b&utf=%C3%28&long=123456789", NULL);
    cr_assert(eq(int, cm_query_get(&f.rq, "bad", buf, sizeof buf), -1));
    cr_assert(eq(int, cm_query_get(&f.rq, "nul", buf, sizeof buf), -1));
    cr_assert(eq(int, cm_query_get(&f.rq, "utf", buf, sizeof buf), -1));
    cr_assert(eq(int, cm_query_get(&f.rq, "long", buf, sizeof buf), -1));
}

Test(cm_jsonapi, query_int_limits_and_default)
{
    struct fixture f;
    long v = -1;
    make(&f, "n=42&big=1001&neg=-1&word=ten&empty=", NULL);
    cr_assert(eq(int, cm_query_int(&f.rq, "n", 1, 1000, 100, &v), CM_OK));
    cr_assert(eq(long, v, 42));
    cr_assert(eq(int, cm_query_int(&f.rq, "absent", 1, 1000, 100, &v), CM_OK));
    cr_assert(eq(long, v, 100));
    cr_assert(eq(int, cm_query_int(&f.rq, "big", 1, 1000, 100, &v), CM_EINVAL));
    cr_assert(eq(str, f.rq.parameter, "big"));
    cr_assert(eq(int, cm_query_int(&f.rq, "neg", 0, 10, 0, &v), CM_EINVAL));
    cr_assert(eq(int, cm_query_int(&f.rq, "word", 0, 10, 0, &v), CM_EINVAL));
    cr_assert(eq(int, cm_query_int(&f.rq, "empty", 0, 10, 0, &v), CM_EINVAL));
}

Test(cm_jsonapi, query_page_bounds)
{
    struct fixture f;
    long limit, offset;
    make(&f, "", NULL);
    cr_assert(eq(int, cm_query_page(&f.rq, 100, 1, 1000, &limit, &offset), CM_OK));
    cr_assert(eq(long, limit, 100));
    cr_assert(eq(long, offset, 0));
    make(&f, "page[limit]=0", NULL);
    cr_assert(eq(int, cm_query_page(&f.rq, 100, 1, 1000, &limit, &offset), CM_EINVAL));
    cr_assert(eq(str, f.rq.parameter, "page[limit]"));
    make(&f, "page[limit]=99999999999999999999", NULL);
    cr_assert(eq(int, cm_query_page(&f.rq, 100, 1, 1000, &limit, &offset), CM_EINVAL));
    make(&f, "page[offset]=-5", NULL);
    cr_assert(eq(int, cm_query_page(&f.rq, 100, 1, 1000, &limit, &offset), CM_EINVAL));
    cr_assert(eq(str, f.rq.parameter, "page[offset]"));
}

Test(cm_jsonapi, query_bool_uuid_text)
{
    struct fixture f;
    int b = -1;
    char id[CM_UUID_LEN + 1], text[64];
    make(&f, "t=true&z=0&x=yes&id=11111111-1111-1111-1111-111111111111&bad=1234&s=%C3%A9t%C3%A9",
         NULL);
    cr_assert(eq(int, cm_query_bool(&f.rq, "t", 0, &b), CM_OK));
    cr_assert(eq(int, b, 1));
    cr_assert(eq(int, cm_query_bool(&f.rq, "z", 1, &b), CM_OK));
    cr_assert(eq(int, b, 0));
    cr_assert(eq(int, cm_query_bool(&f.rq, "none", 1, &b), CM_OK));
    cr_assert(eq(int, b, 1));
    cr_assert(eq(int, cm_query_bool(&f.rq, "x", 0, &b), CM_EINVAL));
    cr_assert(eq(int, cm_query_uuid(&f.rq, "id", id), CM_OK));
    cr_assert(eq(str, id, "11111111-1111-1111-1111-111111111111"));
    cr_assert(eq(int, cm_query_uuid(&f.rq, "bad", id), CM_EINVAL));
    cr_assert(eq(str, id, ""));
    cr_assert(eq(int, cm_query_text(&f.rq, "s", 3, text, sizeof text), CM_OK));
    cr_assert(eq(str, text, "\xc3\xa9t\xc3\xa9"));
    cr_assert(eq(int, cm_query_text(&f.rq, "s", 2, text, sizeof text), CM_EINVAL),
              "3 characters (5 bytes) are over a 2-character limit");
}

Test(cm_jsonapi, query_known_names_the_stranger)
{
    struct fixture f;
    static const char *const allowed[] = {"page[limit]", "text", NULL};
    make(&f, "text=a&page%5Blimit%5D=2", NULL);
    cr_assert(eq(int, cm_query_known(&f.rq, allowed), CM_OK));
    make(&f, "text=a&sort=x", NULL);
    cr_assert(eq(int, cm_query_known(&f.rq, allowed), CM_EINVAL));
    cr_assert(eq(str, f.rq.parameter, "sort"));
}

static cm_err collect(struct cm_req *rq, const char *value, void *ctx)
{
    (void)rq;
    strcat(ctx, value);
    strcat(ctx, ";");
    return CM_OK;
}

Test(cm_jsonapi, query_each_visits_repeated_keys_in_order)
{
    struct fixture f;
    char seen[64] = "";
    make(&f, "s=b&x=1&s=a&s=c", NULL);
    cr_assert(eq(int, cm_query_each(&f.rq, "s", 10, collect, seen), CM_OK));
    cr_assert(eq(str, seen, "b;a;c;"));
    make(&f, "s=toolongvalue", NULL);
    cr_assert(eq(int, cm_query_each(&f.rq, "s", 4, collect, seen), CM_EINVAL));
}

Test(cm_jsonapi, envelope_accepts_the_seed_shape)
{
    struct fixture f;
    static const char *const allowed[] = {"name", "display-name", NULL};
    json_t *doc = NULL, *attrs = NULL;
    make(&f, NULL,
         "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"a\"}},\"meta\":{}}");
    cr_assert(eq(int, cm_req_jsonapi(&f.rq, "organizations", NULL, allowed, &doc, &attrs), CM_OK));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(attrs, "name")), "a"));
    json_decref(doc);
}

/* Body, expected pointer, for a POST of type "users" (no id). */
static const char *const bad_bodies[][2] = {
    {"[]", ""},
    {"{\"data\":1}", "/data"},
    {"{\"data\":{\"type\":\"orgs\",\"attributes\":{}}}", "/data/type"},
    {"{\"data\":{\"attributes\":{}}}", "/data/type"},
    {"{\"data\":{\"type\":\"users\",\"id\":\"x\",\"attributes\":{}}}", "/data/id"},
    {"{\"data\":{\"type\":\"users\",\"attributes\":[]}}", "/data/attributes"},
    {"{\"data\":{\"type\":\"users\",\"attributes\":{\"evil\":1}}}", "/data/attributes/evil"},
    {"{\"data\":{\"type\":\"users\",\"extra\":1}}", "/data/extra"},
    {"{\"data\":{\"type\":\"users\"},\"other\":1}", "/other"},
    {"{\"data\":{\"type\":\"users\"},\"meta\":3}", "/meta"},
};

ParameterizedTestParameters(cm_jsonapi, envelope_refusals)
{
    static size_t idx[sizeof bad_bodies / sizeof bad_bodies[0]];
    for (size_t i = 0; i < sizeof bad_bodies / sizeof bad_bodies[0]; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, cm_jsonapi, envelope_refusals)
{
    struct fixture f;
    static const char *const allowed[] = {"email", NULL};
    json_t *doc = NULL, *attrs = NULL;
    make(&f, NULL, bad_bodies[*i][0]);
    cr_assert(eq(int, cm_req_jsonapi(&f.rq, "users", NULL, allowed, &doc, &attrs), CM_EINVAL),
              "%s", bad_bodies[*i][0]);
    cr_assert(eq(str, f.rq.pointer, (char *)bad_bodies[*i][1]), "%s", bad_bodies[*i][0]);
    cr_assert(f.rq.detail[0] != '\0');
}

Test(cm_jsonapi, envelope_patch_needs_the_path_id)
{
    struct fixture f;
    static const char *const allowed[] = {"email", NULL};
    json_t *doc = NULL, *attrs = NULL;
    make(&f, NULL, "{\"data\":{\"type\":\"users\",\"id\":\"abc\",\"attributes\":{}}}");
    cr_assert(eq(int, cm_req_jsonapi(&f.rq, "users", "abc", allowed, &doc, &attrs), CM_OK));
    json_decref(doc);
    make(&f, NULL, "{\"data\":{\"type\":\"users\",\"attributes\":{}}}");
    cr_assert(eq(int, cm_req_jsonapi(&f.rq, "users", "abc", allowed, &doc, &attrs), CM_EINVAL));
    cr_assert(eq(str, f.rq.pointer, "/data/id"));
}

Test(cm_jsonapi, typed_members)
{
    struct fixture f;
    json_t *o = json_loads("{\"s\":\"abc\",\"e\":\"\",\"n\":7,\"b\":true,\"z\":null,"
                           "\"u\":\"11111111-1111-1111-1111-111111111111\",\"w\":5}",
                           0, NULL);
    const char *s;
    long n;
    int b;
    char u[CM_UUID_LEN + 1];
    make(&f, NULL, NULL);
    cr_assert(eq(int, cm_json_str(&f.rq, o, "", "s", 1, 0, 3, &s), CM_OK));
    cr_assert(eq(str, (char *)s, "abc"));
    cr_assert(eq(int, cm_json_str(&f.rq, o, "", "s", 1, 0, 2, &s), CM_EINVAL));
    cr_assert(eq(str, f.rq.pointer, "/s"));
    cr_assert(eq(int, cm_json_str(&f.rq, o, "/data/attributes", "e", 0, 0, 9, &s), CM_EINVAL));
    cr_assert(eq(str, f.rq.pointer, "/data/attributes/e"));
    cr_assert(eq(int, cm_json_str(&f.rq, o, "", "e", 0, 1, 9, &s), CM_OK));
    cr_assert(eq(int, cm_json_str(&f.rq, o, "", "z", 0, 0, 9, &s), CM_OK));
    cr_assert(s == NULL, "null is not given");
    cr_assert(eq(int, cm_json_str(&f.rq, o, "", "z", 1, 0, 9, &s), CM_EINVAL));
    cr_assert(eq(int, cm_json_str(&f.rq, o, "", "n", 1, 0, 9, &s), CM_EINVAL), "wrong type");
    cr_assert(eq(int, cm_json_int(&f.rq, o, "", "n", 1, 1, 10, 0, &n), CM_OK));
    cr_assert(eq(long, n, 7));
    cr_assert(eq(int, cm_json_int(&f.rq, o, "", "n", 1, 8, 10, 0, &n), CM_EINVAL));
    cr_assert(eq(int, cm_json_int(&f.rq, o, "", "s", 1, 0, 10, 0, &n), CM_EINVAL));
    cr_assert(eq(int, cm_json_int(&f.rq, o, "", "q", 0, 0, 10, 4, &n), CM_OK));
    cr_assert(eq(long, n, 4));
    cr_assert(eq(int, cm_json_bool(&f.rq, o, "", "b", 1, 0, &b), CM_OK));
    cr_assert(eq(int, b, 1));
    cr_assert(eq(int, cm_json_bool(&f.rq, o, "", "w", 1, 0, &b), CM_EINVAL));
    cr_assert(eq(int, cm_json_uuid(&f.rq, o, "", "u", 1, u), CM_OK));
    cr_assert(eq(str, u, "11111111-1111-1111-1111-111111111111"));
    cr_assert(eq(int, cm_json_uuid(&f.rq, o, "", "s", 1, u), CM_EINVAL));
    json_decref(o);
}

Test(cm_jsonapi, documents)
{
    json_t *d = cm_jsonapi_doc(cm_jsonapi_resource("users", "1", json_pack("{s:s}", "a", "b")));
    char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert(eq(str, text,
                 "{\"data\":{\"attributes\":{\"a\":\"b\"},\"id\":\"1\",\"type\":\"users\"},"
                 "\"meta\":{}}"));
    free(text);
    json_decref(d);
    d = cm_jsonapi_doc(NULL);
    text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert(eq(str, text, "{\"data\":null,\"meta\":{}}"));
    free(text);
    json_decref(d);
}

/* ---- filter[cmp-...] items (cm_cmp_time_parse) ---- */

struct cmp_case {
    char in[48];
    char op[3];
    char want[CM_TIME_LEN];
    int allow_eq;
};

ParameterizedTestParameters(cm_jsonapi, parses_comparisons)
{
    static struct cmp_case cases[] = {
        {"<2024-05-01T12:00:00Z", "<", "2024-05-01T12:00:00.000000Z", 0},
        {">2024-05-01T12:00:00.5Z", ">", "2024-05-01T12:00:00.500000Z", 0},
        {"<2024-05-01T12:00:00.1234567Z", "<", "2024-05-01T12:00:00.123456Z", 0},
        {"<2024-05-01T14:30:00+02:00", "<", "2024-05-01T12:30:00.000000Z", 0},
        {"<2024-05-01T14:30:00 02:00", "<", "2024-05-01T12:30:00.000000Z", 0}, /* '+' as decoded */
        {">2024-05-01T00:30:00-01:00", ">", "2024-05-01T01:30:00.000000Z", 0},
        {">2024-12-31T23:30:00-01:00", ">", "2025-01-01T00:30:00.000000Z", 0},
        {"<2024-05-01 12:00Z", "<", "2024-05-01T12:00:00.000000Z", 0},
        {"<2024-05-01T12:00:00+0200", "<", "2024-05-01T10:00:00.000000Z", 0},
        {">2024-02-29", ">", "2024-02-29T00:00:00.000000Z", 0},
        {"<2024-05-01t12:00:00z", "<", "2024-05-01T12:00:00.000000Z", 0},
        {">=2024-05-01T12:00:00Z", ">=", "2024-05-01T12:00:00.000000Z", 1},
        {"<=2024-05-01T14:00:00+02:00", "<=", "2024-05-01T12:00:00.000000Z", 1},
        {"<=2020-01-02 03:04:05.123456+02:00", "<=", "2020-01-02T01:04:05.123456Z", 1},
        {"<2020-01-02T03:04:05-0530", "<", "2020-01-02T08:34:05.000000Z", 1},
        {">2024-05-01", ">", "2024-05-01T00:00:00.000000Z", 1},
    };
    return cr_make_param_array(struct cmp_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct cmp_case *c, cm_jsonapi, parses_comparisons)
{
    char op[3] = "", out[CM_TIME_LEN] = "";
    cr_assert(eq(int, cm_cmp_time_parse(c->in, c->allow_eq, op, out), CM_OK), "%s", c->in);
    cr_assert(eq(str, op, (char *)c->op), "%s", c->in);
    cr_assert(eq(str, out, c->want), "%s", c->in);
}

struct bad_cmp {
    char in[64];
};

ParameterizedTestParameters(cm_jsonapi, refuses_malformed_comparisons)
{
    static struct bad_cmp cases[] = {
        {""},
        {"2024-05-01T12:00:00Z"},    /* no comparator */
        {"<=2024-05-01T12:00:00Z"},  /* only where allowed (allow_eq) */
        {">=2024-05-01"},
        {"=2024-05-01"},
        {"<2024-05-01T12:00:00"},    /* a time needs its offset */
        {"<2023-02-29"},             /* not a leap year */
        {"<2024-13-01"},
        {"<2024-04-31"},
        {"<2024-05-01T24:00:00Z"},
        {"<2024-05-01T12:60:00Z"},
        {"<2024-05-01T12:00:61Z"},
        {"<2024-05-01T12:00:00.Z"},
        {"<2024-05-01T12:00:00Zjunk"},
        {"<2024-5-1"},
        {"<yesterday"},
        {"<2024-05-01T12:00:00+25:00"},
        {"<2024-05-01T12:00:00.0000000000000000000000Z"}, /* over 40 characters */
    };
    return cr_make_param_array(struct bad_cmp, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_cmp *c, cm_jsonapi, refuses_malformed_comparisons)
{
    char op[3], out[CM_TIME_LEN];
    cr_assert(eq(int, cm_cmp_time_parse(c->in, 0, op, out), CM_EINVAL), "'%s'", c->in);
}

Test(cm_jsonapi, error_doc_carries_source_and_meta)
{
    json_t *d = cm_jsonapi_error_doc(403, "some_code", "a detail", "/x",
                                     json_pack("{s:[i]}", "ids", 1));
    json_t *e = json_array_get(json_object_get(d, "errors"), 0);

    cr_assert(eq(int, (int)json_integer_value(json_object_get(e, "status")), 403));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "code")), "some_code"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "detail")), "a detail"));
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(json_object_get(e, "source"), "pointer")),
                 "/x"));
    cr_assert(eq(sz, json_array_size(json_object_get(json_object_get(e, "meta"), "ids")), 1));
    json_decref(d);
    d = cm_jsonapi_error_doc(400, "c", "d", NULL, NULL);
    e = json_array_get(json_object_get(d, "errors"), 0);
    cr_assert(json_object_get(e, "source") == NULL);
    cr_assert(json_object_get(e, "meta") == NULL);
    json_decref(d);
}

Test(cm_jsonapi, owner_organization_is_a_uuid_required_on_create_and_never_moves)
{
    struct fixture f;
    const char *org = NULL;
    json_t *ok = json_pack("{s:s}", "organization-id", "11111111-1111-1111-1111-111111111111");
    json_t *bad = json_pack("{s:s}", "organization-id", "nope"), *none = json_object();

    make(&f, NULL, NULL);
    cr_assert(eq(int, cm_json_owner_org(&f.rq, ok, "/data/attributes", 1, "a link", &org), CM_OK));
    cr_assert(eq(str, (char *)org, "11111111-1111-1111-1111-111111111111"));
    cr_assert(eq(int, cm_json_owner_org(&f.rq, none, "/data/attributes", 0, "a link", &org), CM_OK));
    cr_assert(org == NULL);
    cr_assert(eq(int, cm_json_owner_org(&f.rq, bad, "/data/attributes", 1, "a link", &org),
                 CM_EINVAL));
    cr_assert(eq(str, f.rq.pointer, "/data/attributes/organization-id"));
    cr_assert(eq(str, f.rq.detail, "must be a uuid"));
    cr_assert(eq(int, cm_json_owner_org(&f.rq, none, "/data/attributes", 1, "a link", &org),
                 CM_EINVAL));
    cr_assert(eq(str, f.rq.detail, "is required"));
    cr_assert(eq(int, cm_json_owner_org(&f.rq, ok, "/data/attributes", 0, "a link", &org),
                 CM_EINVAL));
    cr_assert(eq(str, f.rq.detail, "a link cannot move to another organization"));
    json_decref(ok);
    json_decref(bad);
    json_decref(none);
}
