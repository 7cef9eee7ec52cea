/* test_authz_groups.c: authz's care groups through the edge (#36-#50, #156,
 * #157): create, read, update, the add / remove actions, move-group with
 * its closure table, eligible-members, the lists and their filters, logs,
 * and who may do what, including another tenant's group (404 with none of
 * its data), a leader of another group, and a plain member.
 *
 * Organizations and users come from identity (ut_org, ut_account); authz
 * learns them through its projection, and so that these suites do not wait
 * on it, ag_person also writes the projection rows (users, memberships,
 * user_roles) straight into schema authz, idempotently. The fixtures are
 * shared with test_authz_individuals.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "it_authz.h"
#include "harness.h"
#include "test_users_fixtures.h"

#define TS_NONE "00000000-0000-4000-8000-000000000000"

/* --- fixtures (also used by test_authz_individuals.c) --- */

void ag_project(const char *user, const char *username, const char *org, const char *role);
void ag_person(const char *org, const char *role, struct ut_user *u);
long ag_call(const char *method, const char *token, const char *body, json_t **doc,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void ag_individual(const char *token, const char *org, const char *user, char *id);
void ag_group(const char *token, const char *org, const char *parent, const char *extra,
              char *id);
long ag_count(const char *sql, const char *a, const char *b);

/* Writes user (of org, with role when not NULL) into authz's projection,
 * with the email ut_account gives it (username@example.com). */
void ag_project(const char *user, const char *username, const char *org, const char *role)
{
    PGconn *pg = it_pg();
    const char *p[4] = {user, username, org, role ? role : ""};
    char *v = it_pg_value(pg,
                          "WITH u AS (INSERT INTO authz.users (id, username, email, first_name, "
                          "last_name) VALUES ($1::uuid, $2, $2 || '@example.com', 'Ann', $2) "
                          "ON CONFLICT (id) DO NOTHING), "
                          "m AS (INSERT INTO authz.memberships (user_id, organization_id) "
                          "VALUES ($1::uuid, $3::uuid) ON CONFLICT DO NOTHING), "
                          "r AS (INSERT INTO authz.user_roles (user_id, organization_id, "
                          "role_name) SELECT $1::uuid, $3::uuid, $4 WHERE $4 <> '' "
                          "ON CONFLICT DO NOTHING) SELECT 1",
                          4, p);
    free(v);
    PQfinish(pg);
    it_authz_index_fresh();
}

/* An account of org with role (NULL: patient) in identity, logged in, and
 * in authz's projection. */
void ag_person(const char *org, const char *role, struct ut_user *u)
{
    ut_account(org, role, u);
    ag_project(u->id, u->username, org, role);
}

/* method on the printf-formatted path with token and body; the status,
 * and the parsed body to *doc when doc is not NULL. */
long ag_call(const char *method, const char *token, const char *body, json_t **doc,
             const char *fmt, ...)
{
    char path[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return af_call(method, path, token, body, doc);
}

/* A new individual of org (tied to user when not NULL) registered by the
 * admin token; its id to id (40 bytes). */
void ag_individual(const char *token, const char *org, const char *user, char *id)
{
    PGconn *pg = it_pg();
    char *v = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);
    char body[512];

    snprintf(id, 40, "%s", v);
    free(v);
    PQfinish(pg);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individuals\", \"attributes\": {\"individual-id\": \"%s\", "
             "\"owner-id\": \"%s\"%s%s%s}}}",
             id, org, user ? ", \"user-id\": \"" : "", user ? user : "", user ? "\"" : "");
    cr_assert(eq(long, ag_call("POST", token, body, NULL, "/v1/individuals/"), 201));
}

/* A new group of org (under parent when not NULL) with the extra
 * attributes (JSON members text, or NULL), created with token; its id to
 * id (40 bytes). */
void ag_group(const char *token, const char *org, const char *parent, const char *extra,
              char *id)
{
    char body[2048], name[64];
    json_t *doc = NULL;

    it_unique(name, sizeof name, "grp-");
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"%s\", "
             "\"organization-id\": \"%s\"%s%s%s%s}}}",
             name, org, parent ? ", \"parent-group-id\": \"" : "", parent ? parent : "",
             parent ? "\"" : "", extra ? extra : "");
    cr_assert(eq(long, ag_call("POST", token, body, &doc, "/v1/individual-groups/"), 201));
    snprintf(id, 40, "%s", af_str(json_object_get(doc, "data"), "id"));
    json_decref(doc);
}

/* count(*) of sql with text parameters a and b (either may be NULL). */
long ag_count(const char *sql, const char *a, const char *b)
{
    PGconn *pg = it_pg();
    const char *p[2] = {a, b};
    char *v = it_pg_value(pg, sql, b ? 2 : a ? 1 : 0, p);
    long n = v ? strtol(v, NULL, 10) : -1;

    free(v);
    PQfinish(pg);
    return n;
}

/* --- suite --- */

/* Two organizations, each with an admin; org A also has two leaders, a
 * member and a patient. */
static char org_a[40], org_b[40];
static struct ut_user admin_a, admin_b, leader1, leader2, member, patient;

static void setup(void)
{
    if (!it_have_stack())
        return;
    ut_org(org_a);
    ut_org(org_b);
    ag_person(org_a, "admin", &admin_a);
    ag_person(org_b, "admin", &admin_b);
    ag_person(org_a, "provider", &leader1);
    ag_person(org_a, "provider", &leader2);
    ag_person(org_a, "provider", &member);
    ag_person(org_a, NULL, &patient);
}

TestSuite(authz_groups, .init = setup, .timeout = 60);

/* The data.attributes of doc (borrowed). */
static json_t *attrs_of(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "data"), "attributes");
}

/* True when the JSON array arr holds the string s. */
static int holds(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), s)) return 1;
    return 0;
}

/* True when the list document doc has a resource of id. */
static int lists(const json_t *doc, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "data"), i, r) if (!strcmp(af_str(r, "id"), id)) return 1;
    return 0;
}

/* Asserts doc is a JSON:API error of status with source.parameter param. */
static void assert_param_error(const json_t *doc, long status, const char *param)
{
    const json_t *e = json_array_get(json_object_get(doc, "errors"), 0);

    af_error(doc, status, NULL);
    cr_assert(eq(str, (char *)af_str(json_object_get(e, "source"), "parameter"), (char *)param));
}

Test(authz_groups, admin_creates_a_group_with_leaders_and_individuals)
{
    char ind[40], g[40], extra[512];
    json_t *doc = NULL, *a;

    IT_REQUIRE_STACK();
    ag_individual(admin_a.token, org_a, NULL, ind);
    snprintf(extra, sizeof extra,
             ", \"leader-ids\": [\"%s\"], \"individual-ids\": [\"%s\"], \"tags\": [\"north\"], "
             "\"type\": \"provider_only\", \"node-type\": \"division\"",
             leader1.id, ind);
    ag_group(admin_a.token, org_a, NULL, extra, g);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc, "/v1/individual-groups/%s/", g),
                 200));
    a = attrs_of(doc);
    cr_assert(eq(str, (char *)af_str(a, "organization-id"), org_a));
    cr_assert(eq(str, (char *)af_str(a, "type"), "provider_only"));
    cr_assert(eq(str, (char *)af_str(a, "node-type"), "division"));
    cr_assert(it_true(json_is_null(json_object_get(a, "parent-group"))));
    cr_assert(holds(json_object_get(a, "leader-ids"), leader1.id));
    cr_assert(holds(json_object_get(a, "individual-ids"), ind));
    cr_assert(holds(json_object_get(a, "tags"), "north"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(a, "individuals-count")), 1));
    cr_assert(it_true(json_is_true(json_object_get(a, "self-can-write"))));
    cr_assert(eq(str, (char *)af_str(json_object_get(doc, "data"), "type"), "individual-groups"));
    json_decref(doc);
    /* the closure row, the log, the events */
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.group_tree WHERE descendant_id = $1",
                                g, NULL), 1));
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.group_logs WHERE group_id = $1 "
                                "AND subject IN ('group', 'leader', 'individual')", g, NULL), 3));
    cr_assert(ag_count("SELECT count(*) FROM authz.outbox WHERE subject = "
                       "'evt.authz.group.created'", NULL, NULL) >= 1);
    cr_assert(ag_count("SELECT count(*) FROM authz.outbox WHERE subject = "
                       "'evt.authz.group_membership.added'", NULL, NULL) >= 2);
}

/* Bad create bodies: each a body and the pointer at fault. */
static const struct {
    const char *body, *pointer;
} bad_creates[] = {
    {"{\"data\": {\"type\": \"groups\", \"attributes\": {\"name\": \"x\"}}}", "/data/type"},
    {"{\"data\": {\"type\": \"individual-groups\", \"id\": \"" TS_NONE "\", \"attributes\": "
     "{\"name\": \"x\"}}}", "/data/id"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"organization-id\": \"@\"}}}",
     "/data/attributes/name"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": 7, "
     "\"organization-id\": \"@\"}}}", "/data/attributes/name"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
     "\"colour\": \"red\", \"organization-id\": \"@\"}}}", "/data/attributes/colour"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
     "\"node-type\": \"leaf\", \"organization-id\": \"@\"}}}", "/data/attributes/node-type"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
     "\"type\": \"vip\", \"organization-id\": \"@\"}}}", "/data/attributes/type"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
     "\"tags\": \"a\", \"organization-id\": \"@\"}}}", "/data/attributes/tags"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
     "\"tags\": [\"ok\", \"\"], \"organization-id\": \"@\"}}}", "/data/attributes/tags/1"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
     "\"leader-ids\": [\"nope\"], \"organization-id\": \"@\"}}}", "/data/attributes/leader-ids/0"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
     "\"organization-id\": \"nope\"}}}", "/data/attributes/organization-id"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\"}}}",
     "/data/attributes/organization-id"},
    {"{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
     "\"members-can-write\": \"yes\", \"organization-id\": \"@\"}}}",
     "/data/attributes/members-can-write"},
    {"[1]", ""},
};

ParameterizedTestParameters(authz_groups, create_refuses_bad_bodies)
{
    IT_INDEX_PARAMS(bad_creates);
}

ParameterizedTest(size_t *i, authz_groups, create_refuses_bad_bodies)
{
    char body[1024];
    const char *at = strchr(bad_creates[*i].body, '@');
    json_t *doc = NULL;
    long before, status;

    IT_REQUIRE_STACK();
    /* '@' stands for organization A's id */
    if (at)
        snprintf(body, sizeof body, "%.*s%s%s", (int)(at - bad_creates[*i].body),
                 bad_creates[*i].body, org_a, at + 1);
    else
        snprintf(body, sizeof body, "%s", bad_creates[*i].body);
    before = ag_count("SELECT count(*) FROM authz.groups WHERE organization_id = $1", org_a, NULL);
    status = ag_call("POST", admin_a.token, body, &doc, "/v1/individual-groups/");
    cr_assert(eq(long, status, 400), "%s", body);
    af_error(doc, 400, bad_creates[*i].pointer[0] ? bad_creates[*i].pointer : NULL);
    json_decref(doc);
    cr_assert(eq(long,
                 ag_count("SELECT count(*) FROM authz.groups WHERE organization_id = $1", org_a,
                          NULL),
                 before));
}

Test(authz_groups, name_over_255_characters_is_refused)
{
    char body[1024], name[300];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"%s\", "
             "\"organization-id\": \"%s\"}}}", name, org_a);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc, "/v1/individual-groups/"), 400));
    af_error(doc, 400, "/data/attributes/name");
    json_decref(doc);
}

Test(authz_groups, who_may_create)
{
    char body[512], g[40];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
             "\"organization-id\": \"%s\"}}}", org_a);
    /* a plain member of the organization: 403; another organization's admin: 404 */
    cr_assert(eq(long, ag_call("POST", member.token, body, &doc, "/v1/individual-groups/"), 403));
    af_error(doc, 403, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", admin_b.token, body, &doc, "/v1/individual-groups/"), 404));
    af_error(doc, 404, "/data/attributes/organization-id");
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", NULL, body, &doc, "/v1/individual-groups/"), 401));
    af_error(doc, 401, NULL);
    json_decref(doc);
    /* a leaf group led by leader1: leader1 may create under it, member may not */
    snprintf(body, sizeof body, ", \"leader-ids\": [\"%s\"]", leader1.id);
    ag_group(admin_a.token, org_a, NULL, body, g);
    {
        char sub[40];
        ag_group(leader1.token, org_a, g, NULL, sub);
        cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.group_tree WHERE "
                                    "ancestor_id = $1 AND descendant_id = $2 AND depth = 1",
                                    g, sub), 1));
    }
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"x\", "
             "\"parent-group-id\": \"%s\"}}}", g);
    cr_assert(eq(long, ag_call("POST", leader2.token, body, &doc, "/v1/individual-groups/"), 404));
    af_error(doc, 404, "/data/attributes/parent-group-id");
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", admin_b.token, body, &doc, "/v1/individual-groups/"), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
}

Test(authz_groups, another_tenant_sees_nothing)
{
    char g[40], name_probe[128];
    json_t *doc = NULL;
    char *text;
    static const char *const paths[] = {
        "/v1/individual-groups/%s/",
        "/v2/individual-groups/%s/",
        "/v1/individual-groups/%s/eligible-members/",
    };

    IT_REQUIRE_STACK();
    ag_group(admin_a.token, org_a, NULL, NULL, g);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        cr_assert(eq(long, ag_call("GET", admin_b.token, NULL, &doc, paths[i], g), 404), "%s",
                  paths[i]);
        text = json_dumps(doc, 0);
        cr_assert(strstr(text, "grp-") == NULL, "leaks the name: %s", text);
        free(text);
        json_decref(doc);
    }
    snprintf(name_probe, sizeof name_probe, "{\"user-ids\": [\"%s\"]}", admin_b.id);
    cr_assert(eq(long, ag_call("POST", admin_b.token, name_probe, &doc,
                               "/v1/individual-groups/%s/add-members/", g), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_b.token, NULL, &doc,
                               "/v1/individual-group-leaders/?individual-group-id=%s", g), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_b.token, NULL, &doc,
                               "/v1/individual-groups/?organization-id=%s", org_a), 200));
    cr_assert(not(lists(doc, g)));
    json_decref(doc);
    /* unknown and malformed ids */
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc, "/v1/individual-groups/%s/",
                               TS_NONE), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-groups/not-a-uuid/"), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
}

Test(authz_groups, leaders_members_and_strangers)
{
    char top[40], sub[40], other[40], body[512];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    snprintf(body, sizeof body, ", \"leader-ids\": [\"%s\"]", leader1.id);
    ag_group(admin_a.token, org_a, NULL, body, top);
    ag_group(admin_a.token, org_a, top, NULL, sub);
    snprintf(body, sizeof body, ", \"leader-ids\": [\"%s\"]", leader2.id);
    ag_group(admin_a.token, org_a, NULL, body, other);
    snprintf(body, sizeof body, "{\"user-ids\": [\"%s\"]}", member.id);
    cr_assert(eq(long, ag_call("POST", leader1.token, body, &doc,
                               "/v1/individual-groups/%s/add-members/", top), 201));
    json_decref(doc);
    /* leader1 reads and writes the subgroup too (through the tree) */
    cr_assert(eq(long, ag_call("GET", leader1.token, NULL, &doc, "/v1/individual-groups/%s/", sub),
                 200));
    cr_assert(it_true(json_is_true(json_object_get(attrs_of(doc), "self-can-write"))));
    json_decref(doc);
    /* the member reads, cannot write */
    cr_assert(eq(long, ag_call("GET", member.token, NULL, &doc, "/v1/individual-groups/%s/", sub),
                 200));
    cr_assert(it_true(json_is_false(json_object_get(attrs_of(doc), "self-can-write"))));
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", member.token, body, &doc,
                               "/v1/individual-groups/%s/add-leaders/", top), 403));
    af_error(doc, 403, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("PATCH", member.token,
                               "{\"data\": {\"type\": \"individual-groups\", \"id\": \"x\"}}", &doc,
                               "/v1/individual-groups/%s/", top), 403));
    af_error(doc, 403, NULL);
    json_decref(doc);
    /* the leader of another group cannot even see it */
    cr_assert(eq(long, ag_call("GET", leader2.token, NULL, &doc, "/v1/individual-groups/%s/", top),
                 404));
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", leader2.token, body, &doc,
                               "/v1/individual-groups/%s/add-members/", top), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
    /* a patient with no group sees nothing */
    cr_assert(eq(long, ag_call("GET", patient.token, NULL, &doc, "/v1/individual-groups/%s/", top),
                 404));
    json_decref(doc);
    /* one page, mixed rights: leader2, now also a member of top, lists the
     * groups of org_a and sees each row's own self-can-write */
    snprintf(body, sizeof body, "{\"user-ids\": [\"%s\"]}", leader2.id);
    cr_assert(eq(long, ag_call("POST", leader1.token, body, &doc,
                               "/v1/individual-groups/%s/add-members/", top), 201));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", leader2.token, NULL, &doc,
                               "/v1/individual-groups/?organization-id=%s&page[limit]=1000", org_a),
                 200));
    {
        const char *ids[3] = {top, sub, other};
        const int can_write[3] = {0, 0, 1};
        for (int k = 0; k < 3; k++) {
            const json_t *a = NULL, *item;
            size_t i;
            json_array_foreach(json_object_get(doc, "data"), i, item)
            if (!strcmp(af_str(item, "id"), ids[k]))
                a = json_object_get(item, "attributes");
            cr_assert(a != NULL, "group %d is not listed", k);
            cr_assert(eq(int, json_is_true(json_object_get(a, "self-can-write")), can_write[k]),
                      "self-can-write of group %d", k);
            cr_assert(it_true(json_is_boolean(json_object_get(a, "self-can-write"))));
        }
    }
    json_decref(doc);
}

Test(authz_groups, update_replaces_name_tags_and_leaders)
{
    char g[40], body[1024];
    json_t *doc = NULL, *a;

    IT_REQUIRE_STACK();
    snprintf(body, sizeof body, ", \"leader-ids\": [\"%s\"], \"tags\": [\"a\"]", leader1.id);
    ag_group(admin_a.token, org_a, NULL, body, g);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"id\": \"%s\", \"attributes\": "
             "{\"name\": \"renamed\", \"tags\": [\"b\", \"c\"], \"leader-ids\": [\"%s\"]}}}",
             g, leader2.id);
    cr_assert(eq(long, ag_call("PATCH", admin_a.token, body, &doc, "/v1/individual-groups/%s/", g),
                 200));
    a = attrs_of(doc);
    cr_assert(eq(str, (char *)af_str(a, "name"), "renamed"));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "tags")), 2));
    cr_assert(holds(json_object_get(a, "leader-ids"), leader2.id));
    cr_assert(not(holds(json_object_get(a, "leader-ids"), leader1.id)));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "leaders")), 1));
    json_decref(doc);
    cr_assert(ag_count("SELECT count(*) FROM authz.outbox WHERE subject = "
                       "'evt.authz.group.updated'", NULL, NULL) >= 1);
    /* bad bodies */
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"id\": \"%s\", \"attributes\": "
             "{\"name\": \"\"}}}", g);
    cr_assert(eq(long, ag_call("PATCH", admin_a.token, body, &doc, "/v1/individual-groups/%s/", g),
                 400));
    af_error(doc, 400, "/data/attributes/name");
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"id\": \"%s\", \"attributes\": "
             "{\"name\": \"x\"}}}", TS_NONE);
    cr_assert(eq(long, ag_call("PATCH", admin_a.token, body, &doc, "/v1/individual-groups/%s/", g),
                 400));
    af_error(doc, 400, "/data/id");
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"id\": \"%s\", \"attributes\": "
             "{\"leader-ids\": [\"%s\"]}}}", g, admin_b.id);
    cr_assert(eq(long, ag_call("PATCH", admin_a.token, body, &doc, "/v1/individual-groups/%s/", g),
                 404));
    af_error(doc, 404, "/data/attributes/leader-ids/0");
    json_decref(doc);
}

Test(authz_groups, add_and_remove_people)
{
    char g[40], g2[40], ind[40], body[512];
    json_t *doc = NULL, *a;

    IT_REQUIRE_STACK();
    ag_group(admin_a.token, org_a, NULL, NULL, g);
    ag_group(admin_a.token, org_a, NULL, NULL, g2);
    ag_individual(admin_a.token, org_a, NULL, ind);
    /* leaders by email */
    snprintf(body, sizeof body, "{\"user-emails\": [\"%s@EXAMPLE.com\"]}", leader1.username);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc,
                               "/v1/individual-groups/%s/add-leaders/", g), 201));
    cr_assert(holds(json_object_get(attrs_of(doc), "leader-ids"), leader1.id));
    json_decref(doc);
    /* members, shown with with-members */
    snprintf(body, sizeof body, "{\"user-ids\": [\"%s\"], \"with-members\": true}", member.id);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc,
                               "/v1/individual-groups/%s/add-members/", g), 201));
    a = attrs_of(doc);
    cr_assert(eq(sz, json_array_size(json_object_get(a, "members")), 1));
    cr_assert(eq(str, (char *)af_str(json_array_get(json_object_get(a, "members"), 0), "id"),
                 member.id));
    json_decref(doc);
    /* individuals, into g2 then moved to g with remove-from-group */
    snprintf(body, sizeof body, "{\"individual-ids\": [\"%s\"]}", ind);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc,
                               "/v1/individual-groups/%s/add-individuals/", g2), 201));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"individual-ids\": [\"%s\"], \"remove-from-group\": \"%s\", "
             "\"with-individuals\": true}", ind, g2);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc,
                               "/v1/individual-groups/%s/add-individuals/", g), 201));
    a = attrs_of(doc);
    cr_assert(holds(json_object_get(a, "individual-ids"), ind));
    cr_assert(eq(str, (char *)af_str(json_array_get(json_object_get(a, "individuals"), 0), "id"),
                 ind));
    json_decref(doc);
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.group_individuals WHERE group_id = $1",
                                g2, NULL), 0));
    /* the lists of the group */
    cr_assert(eq(long, ag_call("GET", member.token, NULL, &doc,
                               "/v1/individual-group-individuals/?individual-group-id=%s", g),
                 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    a = json_object_get(json_array_get(json_object_get(doc, "data"), 0), "attributes");
    cr_assert(eq(str, (char *)af_str(json_object_get(a, "individual"), "id"), ind));
    cr_assert(eq(str, (char *)af_str(a, "individual-group-id"), g));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", member.token, NULL, &doc,
                               "/v1/individual-group-leaders/?individual-group-id=%s", g), 200));
    a = json_object_get(json_array_get(json_object_get(doc, "data"), 0), "attributes");
    cr_assert(eq(str, (char *)af_str(json_object_get(a, "leader"), "id"), leader1.id));
    cr_assert(eq(str, (char *)af_str(json_object_get(a, "leader"), "username"),
                 leader1.username));
    json_decref(doc);
    /* removals */
    snprintf(body, sizeof body, "{\"user-ids\": [\"%s\"]}", member.id);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc,
                               "/v1/individual-groups/%s/remove-members/", g), 201));
    json_decref(doc);
    snprintf(body, sizeof body, "{\"user-ids\": [\"%s\"]}", leader1.id);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc,
                               "/v1/individual-groups/%s/remove-leaders/", g), 201));
    cr_assert(eq(sz, json_array_size(json_object_get(attrs_of(doc), "leader-ids")), 0));
    json_decref(doc);
    snprintf(body, sizeof body, "{\"individual-ids\": [\"%s\"]}", ind);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc,
                               "/v1/individual-groups/%s/remove-individuals/", g), 201));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(attrs_of(doc), "individuals-count")),
                 0));
    json_decref(doc);
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.group_members WHERE group_id = $1", g,
                                NULL), 0));
    cr_assert(ag_count("SELECT count(*) FROM authz.outbox WHERE subject = "
                       "'evt.authz.group_membership.removed'", NULL, NULL) >= 3);
    /* the logs: individual added to g2, removed from it, added to g, removed */
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-group-logs/?individual-id=%s", ind), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 4));
    a = json_object_get(json_array_get(json_object_get(doc, "data"), 0), "attributes");
    cr_assert(eq(str, (char *)af_str(a, "subject"), "individual"));
    cr_assert(eq(str, (char *)af_str(a, "individual-id"), ind));
    cr_assert(eq(str, (char *)af_str(json_object_get(a, "created-by"), "id"), admin_a.id));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-group-logs/?individual-group-id=%s&"
                               "filter[individual-id]=%s", g2, ind), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 2));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_b.token, NULL, &doc,
                               "/v1/individual-group-logs/?individual-id=%s", ind), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
}

/* Bad action bodies on add-members / add-individuals: path suffix, body,
 * status, pointer ('@' = a user of organization B, '#' = the group). */
static const struct {
    const char *action, *body;
    long status;
    const char *pointer;
} bad_actions[] = {
    {"add-members", "{}", 400, "/user-ids"},
    {"add-members", "{\"user-ids\": []}", 400, "/user-ids"},
    {"add-members", "{\"user-ids\": \"x\"}", 400, "/user-ids"},
    {"add-members", "{\"user-ids\": [\"nope\"]}", 400, "/user-ids/0"},
    {"add-members", "{\"user-ids\": [\"@\"]}", 404, "/user-ids/0"},
    {"add-members", "{\"user-ids\": [\"" TS_NONE "\"]}", 404, "/user-ids/0"},
    {"add-members", "{\"user-emails\": [\"nobody@example.invalid\"]}", 404, "/user-emails/0"},
    {"add-members", "{\"user-ids\": [\"@\"], \"extra\": 1}", 400, "/extra"},
    {"add-members", "{\"user-ids\": [\"@\"], \"with-members\": \"yes\"}", 400, "/with-members"},
    {"add-members", "{\"user-ids\": [\"@\"], \"remove-from-group\": \"#\"}", 400,
     "/remove-from-group"},
    {"add-members", "{\"user-ids\": [\"@\"], \"remove-from-group\": \"" TS_NONE "\"}", 404,
     "/remove-from-group"},
    {"remove-members", "{\"user-ids\": [\"@\"], \"remove-from-group\": \"#\"}", 400,
     "/remove-from-group"},
    {"add-individuals", "{\"individual-ids\": [\"" TS_NONE "\"]}", 404, "/individual-ids/0"},
    {"add-individuals", "{\"user-ids\": [\"" TS_NONE "\"]}", 400, "/user-ids"},
    {"add-leaders", "not json", 400, NULL},
};

ParameterizedTestParameters(authz_groups, actions_refuse_bad_bodies)
{
    IT_INDEX_PARAMS(bad_actions);
}

ParameterizedTest(size_t *i, authz_groups, actions_refuse_bad_bodies)
{
    char g[40], body[512], *o = body;
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    ag_group(admin_a.token, org_a, NULL, NULL, g);
    for (const char *p = bad_actions[*i].body; *p && o < body + sizeof body - 40; p++)
        o += *p == '@' ? sprintf(o, "%s", admin_b.id) : *p == '#' ? sprintf(o, "%s", g)
                                                                  : sprintf(o, "%c", *p);
    *o = '\0';
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc, "/v1/individual-groups/%s/%s/",
                               g, bad_actions[*i].action),
                 bad_actions[*i].status),
              "%s", body);
    af_error(doc, bad_actions[*i].status, bad_actions[*i].pointer);
    json_decref(doc);
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.group_members WHERE group_id = $1", g,
                                NULL), 0));
}

/* How many rows of org's group_tree differ from the closure computed from
 * parent_id (rows missing plus rows too many or with a wrong depth): 0 when
 * the closure is right. */
static long closure_errors(const char *org)
{
    return ag_count("WITH RECURSIVE up (d, a, depth) AS ("
                    " SELECT id, id, 0 FROM authz.groups WHERE organization_id = $1"
                    " UNION ALL SELECT up.d, g.parent_id, up.depth + 1 FROM up "
                    " JOIN authz.groups g ON g.id = up.a WHERE g.parent_id IS NOT NULL) "
                    "SELECT (SELECT count(*) FROM ((SELECT d, a, depth FROM up) EXCEPT "
                    " (SELECT descendant_id, ancestor_id, depth FROM authz.group_tree t "
                    "  JOIN authz.groups g ON g.id = t.descendant_id "
                    "  WHERE g.organization_id = $1)) x) + "
                    "(SELECT count(*) FROM ((SELECT descendant_id, ancestor_id, depth FROM "
                    " authz.group_tree t JOIN authz.groups g ON g.id = t.descendant_id "
                    " WHERE g.organization_id = $1) EXCEPT (SELECT d, a, depth FROM up)) y)",
                    org, NULL);
}

Test(authz_groups, move_group_keeps_the_closure_right)
{
    char org[40], a[40], b[40], c[40], d[40], e[40], other[40], body[256], task[40];
    json_t *doc = NULL;
    struct ut_user adm;

    IT_REQUIRE_STACK();
    ut_org(org);
    ag_person(org, "admin", &adm);
    /* a > b > c, a > e; d */
    ag_group(adm.token, org, NULL, NULL, a);
    ag_group(adm.token, org, a, NULL, b);
    ag_group(adm.token, org, b, NULL, c);
    ag_group(adm.token, org, a, NULL, e);
    ag_group(adm.token, org, NULL, NULL, d);
    cr_assert(eq(long, closure_errors(org), 0));
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.group_tree WHERE descendant_id = $1",
                                c, NULL), 3));
    /* b (with c) under d */
    snprintf(body, sizeof body, "{\"to-parent-group-id\": \"%s\"}", d);
    cr_assert(eq(long, ag_call("POST", adm.token, body, &doc,
                               "/v1/individual-groups/%s/move-group/", b), 201));
    snprintf(task, sizeof task, "%s", af_str(json_object_get(doc, "data"), "task-id"));
    json_decref(doc);
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.tasks WHERE id = $1::uuid AND "
                                "state = 'done' AND kind = 'move-group'", task, NULL), 1));
    cr_assert(eq(long, closure_errors(org), 0));
    cr_assert(eq(long, ag_count("SELECT depth FROM authz.group_tree WHERE ancestor_id = $1 AND "
                                "descendant_id = $2", d, c), 2));
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.group_tree WHERE ancestor_id = $1 AND "
                                "descendant_id = $2", a, c), 0));
    cr_assert(ag_count("SELECT count(*) FROM authz.outbox WHERE subject = "
                       "'evt.authz.group.moved'", NULL, NULL) >= 1);
    cr_assert(eq(long, ag_call("GET", adm.token, NULL, &doc, "/v2/individual-groups/%s/", b), 200));
    cr_assert(eq(str, (char *)af_str(json_object_get(attrs_of(doc), "parent-group"), "id"), d));
    json_decref(doc);
    /* d under c (its own subtree), b under itself: 400, nothing changed */
    snprintf(body, sizeof body, "{\"to-parent-group-id\": \"%s\"}", c);
    cr_assert(eq(long, ag_call("POST", adm.token, body, &doc,
                               "/v1/individual-groups/%s/move-group/", d), 400));
    af_error(doc, 400, "/to-parent-group-id");
    json_decref(doc);
    snprintf(body, sizeof body, "{\"to-parent-group-id\": \"%s\"}", b);
    cr_assert(eq(long, ag_call("POST", adm.token, body, &doc,
                               "/v1/individual-groups/%s/move-group/", b), 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
    cr_assert(eq(long, closure_errors(org), 0));
    /* e back and forth, then a whole subtree (a) under d */
    snprintf(body, sizeof body, "{\"to-parent-group-id\": \"%s\"}", c);
    cr_assert(eq(long, ag_call("POST", adm.token, body, &doc,
                               "/v1/individual-groups/%s/move-group/", e), 201));
    json_decref(doc);
    snprintf(body, sizeof body, "{\"to-parent-group-id\": \"%s\"}", d);
    cr_assert(eq(long, ag_call("POST", adm.token, body, &doc,
                               "/v1/individual-groups/%s/move-group/", a), 201));
    json_decref(doc);
    cr_assert(eq(long, closure_errors(org), 0));
    cr_assert(eq(long, ag_count("SELECT depth FROM authz.group_tree WHERE ancestor_id = $1 AND "
                                "descendant_id = $2", d, e), 3));
    /* bad bodies, another organization's group, a member */
    cr_assert(eq(long, ag_call("POST", adm.token, "{}", &doc,
                               "/v1/individual-groups/%s/move-group/", e), 400));
    af_error(doc, 400, "/to-parent-group-id");
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", adm.token, "{\"to-parent-group-id\": 5}", &doc,
                               "/v1/individual-groups/%s/move-group/", e), 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
    ag_group(admin_b.token, org_b, NULL, NULL, other);
    snprintf(body, sizeof body, "{\"to-parent-group-id\": \"%s\"}", other);
    cr_assert(eq(long, ag_call("POST", adm.token, body, &doc,
                               "/v1/individual-groups/%s/move-group/", e), 404));
    af_error(doc, 404, "/to-parent-group-id");
    json_decref(doc);
    cr_assert(eq(long, closure_errors(org), 0));
}

Test(authz_groups, lists_filter_and_page)
{
    char org[40], top[40], leaf[40], hidden[40], gone[40], ind[40], body[512];
    json_t *doc = NULL;
    struct ut_user adm;

    IT_REQUIRE_STACK();
    ut_org(org);
    ag_person(org, "admin", &adm);
    ag_individual(adm.token, org, NULL, ind);
    snprintf(body, sizeof body,
             ", \"node-type\": \"division\", \"tags\": [\"east\"], \"leader-ids\": [\"%s\"]",
             adm.id);
    ag_group(adm.token, org, NULL, body, top);
    snprintf(body, sizeof body, ", \"individual-ids\": [\"%s\"]", ind);
    ag_group(adm.token, org, top, body, leaf);
    ag_group(adm.token, org, NULL, ", \"type\": \"unassigned\"", hidden);
    ag_group(adm.token, org, NULL, NULL, gone);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"id\": \"%s\", \"attributes\": "
             "{\"is-active\": false}}}", gone);
    cr_assert(eq(long, ag_call("PATCH", adm.token, body, NULL, "/v1/individual-groups/%s/", gone),
                 200));

    /* each filter: query and the groups it must list (the others must not) */
    struct {
        char q[256];
        const char *want[4];
    } cases[] = {
        {"", {top, leaf, NULL}},
        {"&type=unassigned", {hidden, NULL}},
        {"&type=regular&type=unassigned", {top, leaf, hidden, NULL}},
        {"&filter[include-inactive]=true", {top, leaf, gone, NULL}},
        {"&filter[node-type]=division", {top, NULL}},
        {"&filter[tree-node-type]=leaf", {leaf, NULL}},
        {"&filter[tree-node-type]=non-leaf", {top, NULL}},
        {"&filter[tags]=east", {top, NULL}},
        {"&filter[leader-id]=", {top, NULL}},
        {"&filter[individual-id]=", {leaf, NULL}},
        {"&exclude[individual-id]=", {top, NULL}},
        {"&filter[eligible-individual-id]=", {top, NULL}},
        {"&filter[parent-group-id]=", {leaf, NULL}},
        {"&ids=", {leaf, NULL}},
        {"&filter[exclude-ids]=", {top, NULL}},
        {"&filter[cmp-last-modified-time]=>2000-01-01&filter[cmp-last-modified-time]=<2999-01-01",
         {top, leaf, NULL}},
        {"&filter[cmp-last-modified-time]=<2000-01-01", {NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = cases[i].q;
        size_t n = strlen(q);
        const char *all[] = {top, leaf, hidden, gone};
        /* the id filters take the id that fits */
        if (n && q[n - 1] == '=')
            snprintf(q + n, sizeof cases[i].q - n, "%s",
                     strstr(q, "leader") ? adm.id
                     : strstr(q, "individual") ? ind
                     : strstr(q, "parent") ? top
                     : strstr(q, "exclude-ids") ? leaf
                                                : leaf);
        for (int v = 1; v <= 2; v++) {
            cr_assert(eq(long, ag_call("GET", adm.token, NULL, &doc,
                                       "/v%d/individual-groups/?organization-id=%s%s", v, org, q),
                         200), "v%d %s", v, q);
            for (size_t k = 0; k < 4; k++) {
                int wanted = 0;
                for (size_t w = 0; cases[i].want[w]; w++)
                    wanted |= !strcmp(cases[i].want[w], all[k]);
                cr_assert(eq(int, lists(doc, all[k]), wanted), "v%d %s group %zu", v, q, k);
            }
            json_decref(doc);
        }
    }
    /* text and name */
    cr_assert(eq(long, ag_call("GET", adm.token, NULL, &doc,
                               "/v2/individual-groups/?organization-id=%s&filter[text]=GRP-", org),
                 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 2));
    json_decref(doc);
    /* pages */
    cr_assert(eq(long, ag_call("GET", adm.token, NULL, &doc,
                               "/v1/individual-groups/?organization-id=%s&page[limit]=1", org),
                 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", adm.token, NULL, &doc,
                               "/v1/individual-groups/?organization-id=%s&page[offset]=2", org),
                 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    /* v1 carries self-can-write and leaders, v2 does not */
    cr_assert(eq(long, ag_call("GET", adm.token, NULL, &doc,
                               "/v1/individual-groups/?organization-id=%s&ids=%s", org, top), 200));
    cr_assert(it_true(json_is_true(json_object_get(
        json_object_get(json_array_get(json_object_get(doc, "data"), 0), "attributes"),
        "self-can-write"))));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", adm.token, NULL, &doc,
                               "/v2/individual-groups/?organization-id=%s&ids=%s", org, top), 200));
    cr_assert(it_true(json_object_get(json_object_get(json_array_get(json_object_get(doc, "data"),
                                                                    0),
                                                      "attributes"),
                                      "self-can-write") == NULL));
    json_decref(doc);
}

/* Bad list queries: the query and the parameter at fault. */
static const struct {
    const char *q, *param;
} bad_lists[] = {
    {"page[limit]=0", "page[limit]"},
    {"page[limit]=1001", "page[limit]"},
    {"page[offset]=-1", "page[offset]"},
    {"page[limit]=x", "page[limit]"},
    {"type=vip", "type"},
    {"type=regular%26type%3Dprovider_only", "type"},
    {"filter[node-type]=leaf", "filter[node-type]"},
    {"filter[tree-node-type]=group", "filter[tree-node-type]"},
    {"organization-id=nope", "organization-id"},
    {"ids=nope", "ids"},
    {"filter[exclude-ids]=" TS_NONE ",x", "filter[exclude-ids]"},
    {"filter[include-inactive]=maybe", "filter[include-inactive]"},
    {"filter[cmp-last-modified-time]=2020-01-01", "filter[cmp-last-modified-time]"},
    {"filter[cmp-last-modified-time]=>2020-13-45", "filter[cmp-last-modified-time]"},
    {"filter[cmp-last-modified-time]=>2020-01-01&filter[cmp-last-modified-time]=<2021-01-01&"
     "filter[cmp-last-modified-time]=<=2022-01-01", "filter[cmp-last-modified-time]"},
    {"with-members=true&v2", "with-members"},
    {"colour=red", "colour"},
};

ParameterizedTestParameters(authz_groups, lists_refuse_bad_queries)
{
    IT_INDEX_PARAMS(bad_lists);
}

ParameterizedTest(size_t *i, authz_groups, lists_refuse_bad_queries)
{
    char q[512];
    const char *v2 = strstr(bad_lists[*i].q, "&v2");
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    snprintf(q, sizeof q, "%.*s", v2 ? (int)(v2 - bad_lists[*i].q) : (int)strlen(bad_lists[*i].q),
             bad_lists[*i].q);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc, "/v%d/individual-groups/?%s",
                               v2 ? 2 : 1, q),
                 400), "%s", q);
    assert_param_error(doc, 400, bad_lists[*i].param);
    json_decref(doc);
}

Test(authz_groups, group_lists_need_their_group)
{
    json_t *doc = NULL;
    static const char *const lists_of_group[] = {"/v1/individual-group-individuals/",
                                                 "/v1/individual-group-leaders/"};

    IT_REQUIRE_STACK();
    for (size_t i = 0; i < 2; i++) {
        cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc, "%s", lists_of_group[i]), 400));
        assert_param_error(doc, 400, "individual-group-id");
        json_decref(doc);
        cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                                   "%s?individual-group-id=%s", lists_of_group[i], TS_NONE), 404));
        af_error(doc, 404, NULL);
        json_decref(doc);
        cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                                   "%s?individual-group-id=%s&page[limit]=0", lists_of_group[i],
                                   TS_NONE), 400));
        af_error(doc, 400, NULL);
        json_decref(doc);
        cr_assert(eq(long, ag_call("GET", NULL, NULL, &doc, "%s?individual-group-id=%s",
                                   lists_of_group[i], TS_NONE), 401));
        af_error(doc, 401, NULL);
        json_decref(doc);
    }
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-group-logs/?individual-group-id=%s", TS_NONE), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-group-logs/?individual-id=x"), 400));
    assert_param_error(doc, 400, "individual-id");
    json_decref(doc);
}

Test(authz_groups, eligible_members)
{
    char g[40], ind[40], body[256];
    json_t *doc = NULL, *meta;
    size_t i;
    json_t *item;
    int found_member = 0, found_leader = 0;
    long total;

    IT_REQUIRE_STACK();
    snprintf(body, sizeof body, ", \"leader-ids\": [\"%s\"]", leader1.id);
    ag_group(admin_a.token, org_a, NULL, body, g);
    ag_individual(admin_a.token, org_a, NULL, ind);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-groups/%s/eligible-members/?page[limit]=1000", g),
                 200));
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        found_member |= !strcmp(af_str(item, "id"), member.id);
        found_leader |= !strcmp(af_str(item, "id"), leader1.id);
        cr_assert(eq(str, (char *)af_str(item, "member-type"), "leader"));
        cr_assert(strcmp(af_str(item, "id"), admin_b.id) != 0);
    }
    cr_assert(found_member);
    cr_assert(not(found_leader)); /* already a leader */
    meta = json_object_get(doc, "meta");
    total = (long)json_integer_value(json_object_get(meta, "page[total]"));
    cr_assert(eq(long, total, (long)json_array_size(json_object_get(doc, "data"))));
    cr_assert(total >= 4); /* admin, leader2, member, patient */
    cr_assert(eq(long, (long)json_integer_value(json_object_get(meta, "page[limit]")), 1000));
    json_decref(doc);
    /* an empty page past the end still tells the total */
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-groups/%s/eligible-members/?page[offset]=100000",
                               g), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    cr_assert(eq(long, (long)json_integer_value(json_object_get(json_object_get(doc, "meta"),
                                                                 "page[total]")),
                 total));
    json_decref(doc);
    /* individuals */
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-groups/%s/eligible-members/?member-type=individual&"
                               "page[limit]=1000", g), 200));
    found_member = 0;
    json_array_foreach(json_object_get(doc, "data"), i, item)
        found_member |= !strcmp(af_str(item, "id"), ind);
    cr_assert(found_member);
    json_decref(doc);
    /* bad queries, and a leader-less member may not ask */
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-groups/%s/eligible-members/?member-type=boss", g),
                 400));
    assert_param_error(doc, 400, "member-type");
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-groups/%s/eligible-members/?page[limit]=1001", g),
                 400));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc,
                               "/v1/individual-groups/%s/eligible-members/?"
                               "filter[registration-invite]=maybe", g), 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", patient.token, NULL, &doc,
                               "/v1/individual-groups/%s/eligible-members/", g), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
}
