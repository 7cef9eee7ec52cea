/* test_authz_engine.c: the authz3 query parser (every good and bad form) and
 * the pure helpers of the access operations. */
// links: services/authz/engine.c services/authz/handlers_access_input.c services/authz/store_access.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../services/authz/engine.h"
#include "../../services/authz/handlers_access.h"

#define U1 "0b6f4d8e-1c2a-4e7b-9f00-123456789abc"

/* One query and what the parser makes of it; by index into the table. */
struct parse_case {
    const char *query;
    int ok;
    enum authz_type type;
    const char *id;
    enum authz_op op;
};

static const struct parse_case parse_cases[] = {
    /* good forms */
    {"group:" U1 ":read", 1, AUTHZ_GROUP, U1, AUTHZ_READ},
    {"group:" U1 ":write", 1, AUTHZ_GROUP, U1, AUTHZ_WRITE},
    {"group:" U1 ":contain", 1, AUTHZ_GROUP, U1, AUTHZ_CONTAIN},
    {"group::contain", 1, AUTHZ_GROUP, "", AUTHZ_CONTAIN},
    {"individual:" U1 ":read", 1, AUTHZ_INDIVIDUAL, U1, AUTHZ_READ},
    {"individual::write", 1, AUTHZ_INDIVIDUAL, "", AUTHZ_WRITE},
    {"organization:" U1 ":write", 1, AUTHZ_ORGANIZATION, U1, AUTHZ_WRITE},
    {"organization:0B6F4D8E-1C2A-4E7B-9F00-123456789ABC:read", 1, AUTHZ_ORGANIZATION,
     "0B6F4D8E-1C2A-4E7B-9F00-123456789ABC", AUTHZ_READ},
    {"system:reports:read", 1, AUTHZ_SYSTEM, "reports", AUTHZ_READ},
    {"system::write", 1, AUTHZ_SYSTEM, "", AUTHZ_WRITE},
    {"system:free text with spaces/and-slashes:read", 1, AUTHZ_SYSTEM,
     "free text with spaces/and-slashes", AUTHZ_READ},
    {"app.messaging:thread-42:write", 1, AUTHZ_APP, "thread-42", AUTHZ_WRITE},
    {"app.my_app.v2:" U1 ":read", 1, AUTHZ_APP, U1, AUTHZ_READ},
    /* empty string, wrong arity */
    {"", 0, 0, NULL, 0},
    {"group:read", 0, 0, NULL, 0},
    {"group", 0, 0, NULL, 0},
    {"group:" U1 ":read:extra", 0, 0, NULL, 0},
    {"system:a:b:read", 0, 0, NULL, 0}, /* free text with ':' impossible by construction */
    {"app.x:a:b:read", 0, 0, NULL, 0},
    {"::", 0, 0, NULL, 0},
    /* unknown type */
    {"user:" U1 ":read", 0, 0, NULL, 0},
    {"Group:" U1 ":read", 0, 0, NULL, 0},
    {"app.:x:read", 0, 0, NULL, 0},
    {"app:x:read", 0, 0, NULL, 0},
    {"app.bad name:x:read", 0, 0, NULL, 0},
    {":" U1 ":read", 0, 0, NULL, 0},
    /* bad uuid */
    {"group:not-a-uuid:read", 0, 0, NULL, 0},
    {"individual:0b6f4d8e1c2a4e7b9f00123456789abc:read", 0, 0, NULL, 0},
    {"organization:0b6f4d8e-1c2a-4e7b-9f00-123456789ab:read", 0, 0, NULL, 0},
    {"organization:0b6f4d8e-1c2a-4e7b-9f00-123456789abcd:read", 0, 0, NULL, 0},
    {"individual:0b6f4d8e-1c2a-4e7b-9f00-12345678zabc:read", 0, 0, NULL, 0},
    /* free-text ids with control characters */
    {"system:a\tb:read", 0, 0, NULL, 0},
    {"app.x:a\nb:read", 0, 0, NULL, 0},
    /* bad operation; contain only for groups */
    {"group:" U1 ":delete", 0, 0, NULL, 0},
    {"group:" U1 ":", 0, 0, NULL, 0},
    {"group:" U1 ":READ", 0, 0, NULL, 0},
    {"individual:" U1 ":contain", 0, 0, NULL, 0},
    {"organization::contain", 0, 0, NULL, 0},
    {"system:x:contain", 0, 0, NULL, 0},
    {"app.x:x:contain", 0, 0, NULL, 0},
};

/* indexes 0..n-1 of table as parameters (Criterion copies them by value) */
#define INDEX_PARAMS(table)                                                                        \
    do {                                                                                           \
        static size_t idx_[sizeof(table) / sizeof((table)[0])];                                    \
        for (size_t k_ = 0; k_ < sizeof(table) / sizeof((table)[0]); k_++)                         \
            idx_[k_] = k_;                                                                         \
        return cr_make_param_array(size_t, idx_, sizeof(table) / sizeof((table)[0]));              \
    } while (0)

ParameterizedTestParameters(authz_query, parse)
{
    INDEX_PARAMS(parse_cases);
}

ParameterizedTest(size_t *i, authz_query, parse)
{
    const struct parse_case *c = &parse_cases[*i];
    struct authz_query q;
    char err[128] = "";
    cm_err rc = authz_query_parse(c->query, &q, err, sizeof err);
    if (!c->ok) {
        cr_assert(eq(int, rc, CM_EINVAL), "accepted \"%s\"", c->query);
        cr_assert(err[0] != '\0', "no reason for \"%s\"", c->query);
        return;
    }
    cr_assert(eq(int, rc, CM_OK), "refused \"%s\": %s", c->query, err);
    cr_assert(eq(int, q.type, c->type));
    cr_assert(eq(str, q.id, (char *)c->id));
    cr_assert(eq(int, q.op, c->op));
}

/* a query of exactly n characters: "system:<x...>:read" */
static void query_of_length(char *buf, size_t n)
{
    size_t fixed = strlen("system::read");
    memcpy(buf, "system:", 7);
    memset(buf + 7, 'x', n - fixed);
    memcpy(buf + 7 + (n - fixed), ":read", 6);
}

Test(authz_query, accepts_256_characters_refuses_257)
{
    char buf[300], err[128];
    struct authz_query q;
    query_of_length(buf, 256);
    cr_assert(eq(sz, strlen(buf), 256));
    cr_assert(eq(int, authz_query_parse(buf, &q, err, sizeof err), CM_OK));
    cr_assert(eq(sz, strlen(q.id), 256 - strlen("system::read")));
    query_of_length(buf, 257);
    cr_assert(eq(int, authz_query_parse(buf, &q, err, sizeof err), CM_EINVAL));
    cr_assert(strstr(err, "256") != NULL);
}

Test(authz_query, keeps_app_type_name)
{
    struct authz_query q;
    char err[128];
    cr_assert(eq(int, authz_query_parse("app.messaging::read", &q, err, sizeof err), CM_OK));
    cr_assert(eq(str, q.type_name, "app.messaging"));
}

Test(authz_query, null_and_tiny_error_buffer_are_safe)
{
    struct authz_query q;
    char err[4];
    cr_assert(eq(int, authz_query_parse(NULL, &q, NULL, 0), CM_EINVAL));
    cr_assert(eq(int, authz_query_parse("nope", &q, err, sizeof err), CM_EINVAL));
    cr_assert(eq(sz, strlen(err), 3));
}

Test(authz_check, denies_without_database_work_when_user_is_not_a_uuid)
{
    struct authz_query q;
    int allow = 1;
    cr_assert(eq(int, authz_query_parse("system::read", &q, NULL, 0), CM_OK));
    /* pg is only dereferenced for a valid user; any non-NULL pointer does */
    cr_assert(eq(int, authz_check((PGconn *)&q, "nope", &q, 1, &allow), CM_OK));
    cr_assert(eq(int, allow, 0));
    cr_assert(eq(int, authz_check(NULL, U1, &q, 1, &allow), CM_EINVAL));
}

/* ---- lists of queries (access_queries_parse) ---- */

Test(access_queries, names_the_first_bad_one)
{
    const char *strs[] = {"system::read", "group:" U1 ":contain", "individual:nope:read"};
    struct access_queries qs;
    size_t bad = 99;
    char err[128];
    cr_assert(eq(int, access_queries_parse(strs, 2, &qs, &bad, err, sizeof err), CM_OK));
    cr_assert(eq(sz, qs.n, 2));
    cr_assert(eq(str, (char *)qs.text[1], "group:" U1 ":contain"));
    cr_assert(eq(int, access_queries_parse(strs, 3, &qs, &bad, err, sizeof err), CM_EINVAL));
    cr_assert(eq(sz, bad, 2));
}

Test(access_queries, refuses_none_and_too_many)
{
    const char *strs[AUTHZ_MAX_QUERIES + 1];
    struct access_queries qs;
    size_t bad = 99;
    char err[128];
    for (size_t i = 0; i <= AUTHZ_MAX_QUERIES; i++)
        strs[i] = "system::read";
    cr_assert(eq(int, access_queries_parse(strs, 0, &qs, &bad, err, sizeof err), CM_EINVAL));
    cr_assert(eq(sz, bad, 0));
    cr_assert(eq(int, access_queries_parse(strs, AUTHZ_MAX_QUERIES, &qs, &bad, err, sizeof err),
                 CM_OK));
    cr_assert(eq(int, access_queries_parse(strs, AUTHZ_MAX_QUERIES + 1, &qs, &bad, err, sizeof err),
                 CM_EINVAL));
    cr_assert(eq(sz, bad, AUTHZ_MAX_QUERIES + 1));
}

/* ---- uuid lists, dates, id arrays, page meta ---- */

Test(access_uuid_list, takes_repeated_and_comma_separated)
{
    char ids[3][CM_UUID_LEN + 1];
    size_t n = 0;
    cr_assert(eq(int, access_uuid_list_add(U1, ids, 3, &n), CM_OK));
    cr_assert(eq(int, access_uuid_list_add(U1 "," U1, ids, 3, &n), CM_OK));
    cr_assert(eq(sz, n, 3));
    cr_assert(eq(int, access_uuid_list_add(U1, ids, 3, &n), CM_EINVAL)); /* over max */
}

Test(access_uuid_list, refuses_bad_and_empty_items)
{
    char ids[4][CM_UUID_LEN + 1];
    size_t n = 0;
    cr_assert(eq(int, access_uuid_list_add("", ids, 4, &n), CM_EINVAL));
    n = 0;
    cr_assert(eq(int, access_uuid_list_add(U1 ",", ids, 4, &n), CM_EINVAL));
    n = 0;
    cr_assert(eq(int, access_uuid_list_add("x," U1, ids, 4, &n), CM_EINVAL));
}

Test(access_date, checks_the_calendar)
{
    cr_assert(access_date_valid("2024-02-29"));
    cr_assert(access_date_valid("1999-12-31"));
    cr_assert(not(access_date_valid("2023-02-29")));
    cr_assert(not(access_date_valid("1900-02-29")));
    cr_assert(not(access_date_valid("2024-13-01")));
    cr_assert(not(access_date_valid("2024-04-31")));
    cr_assert(not(access_date_valid("2024-1-01")));
    cr_assert(not(access_date_valid("0000-01-01")));
    cr_assert(not(access_date_valid("")));
}

Test(store_access_ids_parse, reads_postgres_arrays)
{
    struct access_page page = {0, 0, NULL};
    cr_assert(eq(int, store_access_ids_parse("{}", &page), CM_OK));
    cr_assert(eq(sz, page.n, 0));
    cr_assert(eq(int, store_access_ids_parse("{" U1 "," U1 "}", &page), CM_OK));
    cr_assert(eq(sz, page.n, 2));
    cr_assert(eq(str, page.ids[1], U1));
    access_page_release(&page);
    cr_assert(eq(int, store_access_ids_parse("{x}", &page), CM_EINVAL));
    cr_assert(eq(int, store_access_ids_parse("", &page), CM_EINVAL));
    cr_assert(eq(int, store_access_ids_parse(NULL, &page), CM_EINVAL));
    cr_assert(eq(sz, page.n, 0));
}

Test(access_ids_json, renders_ids_or_id_objects)
{
    char ids[2][CM_UUID_LEN + 1] = {U1, U1};
    struct access_page page = {7, 2, ids};
    json_t *a = access_ids_json(&page, 0);
    cr_assert(eq(sz, json_array_size(a), 2));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(a, 0)), U1));
    json_decref(a);
    a = access_ids_json(&page, 1);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_array_get(a, 1), "id")), U1));
    json_decref(a);
    page.n = 0;
    a = access_ids_json(&page, 1);
    cr_assert(eq(sz, json_array_size(a), 0));
    json_decref(a);
}

Test(access_page_meta, names_the_three_numbers)
{
    json_t *m = access_page_meta(0, 7, 12);
    cr_assert(eq(int, json_integer_value(json_object_get(m, "page[limit]")), 0));
    cr_assert(eq(int, json_integer_value(json_object_get(m, "page[offset]")), 7));
    cr_assert(eq(int, json_integer_value(json_object_get(m, "page[total]")), 12));
    json_decref(m);
}
