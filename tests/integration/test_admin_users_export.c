/* test_admin_users_export.c: GET /api/2015-02-01/admin/users (the seed's
 * users_list): an organization's users streamed as chunked CSV (default) or
 * JSON lines, consumed until exhaustion; 204 when there are none; only the
 * OU's administrators; bad parameters refused (OU names, children and the
 * profile columns: test_admin_users_export_ous.c). A few thousand users make the
 * answer span several flow-controlled chunks. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "it_attach.h"

TestSuite(admin_users_export, .timeout = 120);

#define LIST "/api/2015-02-01/admin/users"
#define MANY 3000

/* Adds n users named <prefix>-<i> to org straight into identity's tables
 * (the export reads identity; accounts made one by one would take minutes);
 * user 0 has a comma and a quote in its first name. */
static void add_users(const char *org, const char *prefix, int n)
{
    PGconn *pg = it_pg();
    char count[16];
    const char *params[3] = {org, prefix, count};
    char *v;

    snprintf(count, sizeof count, "%d", n);
    v = it_pg_value(pg,
                    "WITH u AS (INSERT INTO identity.users (username, email, first_name, last_name) "
                    "SELECT $2 || '-' || i, $2 || '-' || i || '@example.com', "
                    "CASE WHEN i = 0 THEN 'Ann, \"Jr\"' ELSE 'First' || i END, 'Last' "
                    "FROM generate_series(0, $3::int - 1) i RETURNING id) "
                    "INSERT INTO identity.user_organizations (user_id, organization_id) "
                    "SELECT id, $1::uuid FROM u RETURNING 'ok'",
                    3, params);
    free(v);
    PQfinish(pg);
}

/* The name of organization org (its OU name) into out (128 bytes). */
static void org_name(const char *org, char *out)
{
    PGconn *pg = it_pg();
    const char *params[1] = {org};
    char *v = it_pg_value(pg, "SELECT name FROM identity.organizations WHERE id = $1::uuid", 1,
                          params);

    snprintf(out, 128, "%s", v ? v : "");
    free(v);
    PQfinish(pg);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(admin_users_export, csv_streams_every_user_of_the_ou)
{
    struct ia_client c, other;
    char prefix[64], needle[400], path[256], name[128];
    struct it_resp r;

    IT_REQUIRE_STACK();
    ia_client_new(&c);
    org_name(c.org, name); /* its organization has one member: the admin account */
    ia_client_new(&other);
    it_unique(prefix, sizeof prefix, "exp");
    add_users(c.org, prefix, MANY);
    ia_call(&r, &c, "GET", LIST, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(str, (char *)it_header_str(&r, "content-type"), "text/csv; charset=utf-8"));
    cr_assert(eq(str, (char *)it_header_str(&r, "transfer-encoding"), "chunked"));
    cr_assert(gt(sz, r.len, (size_t)300000), "%zu bytes: expected several 256 KiB chunks", r.len);
#define HEADER                                                                                     \
    "id,user_id,email,first_name,last_name,account_status,primary_ou,roles,title,specialty,"       \
    "services,pager_number\n"
    cr_assert(eq(int, strncmp(r.body, HEADER, strlen(HEADER)), 0), "%.200s", r.body);
    cr_assert(eq(sz, count_lines(r.body), (size_t)MANY + 2)); /* header, admin, MANY */
    snprintf(needle, sizeof needle, ",%s-0,%s-0@example.com,\"Ann, \"\"Jr\"\"\",Last,active,%s,,",
             prefix, prefix, name);
    cr_assert(not(eq(ptr, strstr(r.body, needle), NULL)), "no row %s", needle);
    snprintf(needle, sizeof needle, ",%s-%d,", prefix, MANY - 1);
    cr_assert(not(eq(ptr, strstr(r.body, needle), NULL)), "no row %s", needle);
    it_resp_release(&r);

    /* ou named explicitly, children=false: the same users; the other
     * organization's export does not show them */
    snprintf(path, sizeof path, LIST "?ou=%s&children=false&format=csv", c.org);
    ia_call(&r, &c, "GET", path, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(sz, count_lines(r.body), (size_t)MANY + 2));
    it_resp_release(&r);
    ia_call(&r, &other, "GET", LIST, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(sz, count_lines(r.body), 2));
    cr_assert(eq(ptr, strstr(r.body, prefix), NULL));
    it_resp_release(&r);
}

Test(admin_users_export, json_lines_one_record_per_line)
{
    struct ia_client c;
    char prefix[64], name[128];
    struct it_resp r;
    size_t n = 0;

    IT_REQUIRE_STACK();
    ia_client_new(&c);
    org_name(c.org, name);
    it_unique(prefix, sizeof prefix, "expj");
    add_users(c.org, prefix, 5);
    ia_call(&r, &c, "GET", LIST "?format=json", NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(str, (char *)it_header_str(&r, "content-type"), "application/json"));
    for (char *line = r.body, *end; *line; line = end + 1, n++) {
        json_t *o;
        end = strchr(line, '\n');
        cr_assert(not(eq(ptr, end, NULL)), "last line not terminated");
        *end = '\0';
        o = json_loads(line, 0, NULL);
        cr_assert(not(eq(ptr, o, NULL)), "not JSON: %s", line);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "primary_ou")), name));
        cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "account_status")),
                     "active"));
        cr_assert(it_true(json_is_string(json_object_get(o, "id"))));
        json_decref(o);
    }
    cr_assert(eq(sz, n, 6)); /* the admin and 5 */
    it_resp_release(&r);
}

Test(admin_users_export, empty_ou_answers_204)
{
    struct ia_client c;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ia_client_bare(&c, "[\"admin\"]");
    ia_call(&r, &c, "GET", LIST, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 204), "%.300s", r.body);
    cr_assert(eq(sz, r.len, 0));
    it_resp_release(&r);
    ia_call(&r, &c, "GET", LIST "?format=json", NULL, NULL, 0);
    cr_assert(eq(long, r.status, 204), "%.300s", r.body);
    it_resp_release(&r);
}

/* Asserts a refusal in the clinical API's style with message. */
static void refused(const struct ia_client *c, const char *path, long status, const char *msg)
{
    struct it_resp r;
    json_t *doc;

    ia_call(&r, c, "GET", path, NULL, NULL, 0);
    it_assert_error_style(&r, "cureatr", status);
    doc = it_json(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "message")), (char *)msg),
              "%s: %.300s", path, r.body);
    json_decref(doc);
    it_resp_release(&r);
}

Test(admin_users_export, refuses_other_ous_non_admins_and_bad_parameters)
{
    struct ia_client c, other, plain;
    char path[256];

    IT_REQUIRE_STACK();
    ia_client_new(&c);
    ia_client_new(&other);
    ia_client_bare(&plain, "[]");
    snprintf(path, sizeof path, LIST "?ou=%s", other.org);
    refused(&c, path, 403, "not authorized");
    refused(&plain, LIST, 403, "not authorized");
    refused(&c, LIST "?format=xml", 400, "format must be csv or json");
    refused(&c, LIST "?children=maybe", 400, "children must be true or false");
    refused(&c, LIST "?ou=", 400, "invalid ou");
    refused(&c, LIST "?ou=no-such-ou-x", 403, "not authorized"); /* unknown looks forbidden */
}
