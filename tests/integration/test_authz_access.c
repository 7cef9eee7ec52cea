/* test_authz_access.c: suite authz_access: the authz3 engine through its
 * operations (#10 accessible resources, #11 authz-individuals, #12
 * resource access, #13 resource accessors, #15 bulk) and its typed RPCs
 * (authz.rpc.Check / CheckBatch, with the cache and its invalidation).
 *
 * Every test builds its own small world straight into authz's tables
 * (users, memberships, roles, groups with their closure, individuals,
 * leaders and members, all with fresh uuids), so the suite depends neither
 * on the projection nor on the groups operations; the platform admin's
 * token asks, since it may ask about anyone. The world (organization A
 * unless said):
 *
 *   R (root) ── G ── individual I1          leaders: LEAD_ROOT on R, LEAD_G on G, LEAD_H on H
 *            ├─ W (members_can_write) ── I2 members: MEMBER_G on G, MEMBER_W on W
 *            └─ H ── I_SELF (SELF's own)
 *   I3: owned by A, in no group              ADMIN_A: role admin in A; DISABLED: admin of A, disabled
 *   organization B: group GB ── IB, OUTSIDER member of B and of GB
 *   NOBODY: known, member of nothing; PADMIN: a platform admin in the projection */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "authz.pb-c.h"
#include "cm_nats.h"
#include "it_authz.h"
#include "harness.h"

enum { ADMIN_A, LEAD_ROOT, LEAD_G, MEMBER_G, MEMBER_W, LEAD_H, OUTSIDER, DISABLED, SELF, NOBODY,
       PADMIN, NUSERS };
enum { G_R, G_G, G_W, G_H, G_B, NGROUPS };
enum { I_1, I_2, I_SELF, I_3, I_B, I_UNKNOWN, NINDS };
enum { O_A, O_B, NORGS };

struct world {
    char u[NUSERS][40], g[NGROUPS][40], i[NINDS][40], o[NORGS][40];
};

static void run_sql(PGconn *pg, const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
              "%s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
}

static void new_uuid(PGconn *pg, char *out)
{
    char *v = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);
    snprintf(out, 40, "%s", v);
    free(v);
}

static void user(PGconn *pg, const char *id, int enabled, int platform_admin)
{
    const char *p[3] = {id, enabled ? "true" : "false", platform_admin ? "true" : "false"};
    /* last_populated_at ahead: a re-population of the projection running
     * meanwhile keeps these users identity does not know */
    run_sql(pg,
            "INSERT INTO authz.users (id, enabled, platform_admin, last_populated_at)"
            " VALUES ($1, $2, $3, now() + interval '1 day')",
            3, p);
}

static void member_of(PGconn *pg, const char *u, const char *org, const char *role)
{
    const char *p[3] = {u, org, role};
    run_sql(pg, "INSERT INTO authz.memberships VALUES ($1, $2) ON CONFLICT DO NOTHING", 2, p);
    if (role)
        run_sql(pg, "INSERT INTO authz.user_roles VALUES ($1, $2, $3)", 3, p);
}

/* a group under parent (NULL: a root), with its closure rows */
static void group(PGconn *pg, const char *id, const char *org, const char *parent, int mcw)
{
    const char *p[4] = {id, org, parent, mcw ? "true" : "false"};
    run_sql(pg,
            "INSERT INTO authz.groups (id, organization_id, parent_id, name, members_can_write)"
            " VALUES ($1, $2, $3, 'g', $4)",
            4, p);
    run_sql(pg,
            "INSERT INTO authz.group_tree SELECT $1::uuid, $1::uuid, 0 UNION ALL"
            " SELECT ancestor_id, $1::uuid, depth + 1 FROM authz.group_tree"
            " WHERE descendant_id = $2::uuid",
            2, (const char *const[]){id, parent});
}

static void individual(PGconn *pg, const char *id, const char *owner, const char *u,
                       const char *in_group)
{
    const char *p[3] = {id, owner, u};
    run_sql(pg, "INSERT INTO authz.individuals (id, owner_id, user_id) VALUES ($1, $2, $3)", 3, p);
    if (in_group)
        run_sql(pg, "INSERT INTO authz.group_individuals (group_id, individual_id) VALUES ($1, $2)",
                2, (const char *const[]){in_group, id});
}

static void in_group(PGconn *pg, const char *table_sql, const char *g, const char *u)
{
    run_sql(pg, table_sql, 2, (const char *const[]){g, u});
}

#define BASE "/v1/authz-individuals/?operation=%s&user-id=%s%s"
#define LEADER_SQL "INSERT INTO authz.group_leaders (group_id, user_id) VALUES ($1, $2)"
#define MEMBER_SQL "INSERT INTO authz.group_members (group_id, user_id) VALUES ($1, $2)"

static void world_build(struct world *w)
{
    PGconn *pg = it_pg();
    for (int k = 0; k < NUSERS; k++)
        new_uuid(pg, w->u[k]);
    for (int k = 0; k < NGROUPS; k++)
        new_uuid(pg, w->g[k]);
    for (int k = 0; k < NINDS; k++)
        new_uuid(pg, w->i[k]);
    for (int k = 0; k < NORGS; k++)
        new_uuid(pg, w->o[k]);
    for (int k = 0; k < NUSERS; k++)
        user(pg, w->u[k], k != DISABLED, k == PADMIN);
    for (int k = 0; k < NUSERS; k++)
        if (k != NOBODY && k != PADMIN && k != OUTSIDER)
            member_of(pg, w->u[k], w->o[O_A], k == ADMIN_A || k == DISABLED ? "admin" : "provider");
    member_of(pg, w->u[OUTSIDER], w->o[O_B], "provider");
    group(pg, w->g[G_R], w->o[O_A], NULL, 0);
    group(pg, w->g[G_G], w->o[O_A], w->g[G_R], 0);
    group(pg, w->g[G_W], w->o[O_A], w->g[G_R], 1);
    group(pg, w->g[G_H], w->o[O_A], w->g[G_R], 0);
    group(pg, w->g[G_B], w->o[O_B], NULL, 1);
    individual(pg, w->i[I_1], w->o[O_A], NULL, w->g[G_G]);
    individual(pg, w->i[I_2], w->o[O_A], NULL, w->g[G_W]);
    individual(pg, w->i[I_SELF], w->o[O_A], w->u[SELF], w->g[G_H]);
    individual(pg, w->i[I_3], w->o[O_A], NULL, NULL);
    individual(pg, w->i[I_B], w->o[O_B], NULL, w->g[G_B]);
    in_group(pg, LEADER_SQL, w->g[G_R], w->u[LEAD_ROOT]);
    in_group(pg, LEADER_SQL, w->g[G_G], w->u[LEAD_G]);
    in_group(pg, LEADER_SQL, w->g[G_H], w->u[LEAD_H]);
    in_group(pg, MEMBER_SQL, w->g[G_G], w->u[MEMBER_G]);
    in_group(pg, MEMBER_SQL, w->g[G_W], w->u[MEMBER_W]);
    in_group(pg, MEMBER_SQL, w->g[G_B], w->u[OUTSIDER]);
    PQfinish(pg);
    it_authz_index_fresh(); /* written behind authz's back: wait for its index */
}

/* POST path with body (steals it) as token; status, and the parsed reply
 * into *doc when doc is not NULL. */
static long post_json(const char *path, const char *token, json_t *body, json_t **doc)
{
    char *text = json_dumps(body, JSON_COMPACT);
    long status = af_call("POST", path, token, text, doc);
    free(text);
    json_decref(body);
    return status;
}

/* #12 for user with the n queries; asserts 201; the answer. */
static int check(const char *token, const char *u, const char *const *queries, size_t n)
{
    json_t *qs = json_array(), *doc = NULL;
    for (size_t k = 0; k < n; k++)
        json_array_append_new(qs, json_string(queries[k]));
    long status = post_json("/v1/authz-resource-access/", token,
                            json_pack("{s:o, s:s}", "access-query", qs, "user-id", u), &doc);
    cr_assert(eq(long, status, 201));
    cr_assert(it_true(json_is_boolean(json_object_get(doc, "allow"))));
    int allow = json_is_true(json_object_get(doc, "allow"));
    json_decref(doc);
    return allow;
}

static void q(char *out, const char *type, const char *id, const char *op)
{
    snprintf(out, 300, "%s:%s:%s", type, id, op);
}

/* ---- every rule, positive and negative ---- */

enum ent { E_NONE, E_IND, E_GROUP, E_ORG, E_TEXT };

struct rule_case {
    int who;
    const char *type;
    enum ent kind;
    int idx;
    const char *op;
    int allow;
    const char *why;
};

static const struct rule_case rule_cases[] = {
    /* individuals */
    {ADMIN_A, "individual", E_IND, I_1, "read", 1, "owner-org admin reads"},
    {ADMIN_A, "individual", E_IND, I_3, "write", 1, "owner-org admin writes, no group needed"},
    {ADMIN_A, "individual", E_IND, I_B, "read", 0, "admin of another organization"},
    {ADMIN_A, "individual", E_IND, I_UNKNOWN, "read", 0, "unknown individual"},
    {SELF, "individual", E_IND, I_SELF, "read", 1, "own individual"},
    {SELF, "individual", E_IND, I_SELF, "write", 1, "own individual, write"},
    {SELF, "individual", E_IND, I_1, "read", 0, "someone else's individual"},
    {LEAD_G, "individual", E_IND, I_1, "read", 1, "leader of the group"},
    {LEAD_G, "individual", E_IND, I_1, "write", 1, "leader of the group writes"},
    {LEAD_ROOT, "individual", E_IND, I_1, "write", 1, "leader of an ancestor group"},
    {LEAD_ROOT, "individual", E_IND, I_2, "read", 1, "leader of an ancestor group, other branch"},
    {MEMBER_G, "individual", E_IND, I_1, "read", 1, "member reads"},
    {MEMBER_G, "individual", E_IND, I_1, "write", 0, "member without members_can_write"},
    {MEMBER_W, "individual", E_IND, I_2, "write", 1, "member with members_can_write"},
    {LEAD_H, "individual", E_IND, I_1, "read", 0, "leader of another group"},
    {LEAD_G, "individual", E_IND, I_SELF, "read", 0, "leader of a sibling group"},
    {OUTSIDER, "individual", E_IND, I_1, "read", 0, "member of another organization"},
    {OUTSIDER, "individual", E_IND, I_B, "write", 1, "member of a members_can_write group in B"},
    {DISABLED, "individual", E_IND, I_1, "read", 0, "disabled user (an admin of A)"},
    {NOBODY, "individual", E_IND, I_1, "read", 0, "user with no ties"},
    {PADMIN, "individual", E_IND, I_B, "write", 1, "platform admin"},
    {PADMIN, "individual", E_IND, I_UNKNOWN, "write", 1, "platform admin, even unknown ids"},
    /* organizations */
    {MEMBER_G, "organization", E_ORG, O_A, "read", 1, "member reads the organization"},
    {MEMBER_G, "organization", E_ORG, O_A, "write", 0, "member does not write it"},
    {ADMIN_A, "organization", E_ORG, O_A, "write", 1, "admin writes it"},
    {ADMIN_A, "organization", E_ORG, O_B, "read", 0, "not a member of B"},
    {OUTSIDER, "organization", E_ORG, O_B, "read", 1, "member of B"},
    {DISABLED, "organization", E_ORG, O_A, "write", 0, "disabled admin"},
    /* groups */
    {ADMIN_A, "group", E_GROUP, G_G, "write", 1, "organization admin writes a group"},
    {ADMIN_A, "group", E_GROUP, G_B, "read", 0, "admin of another organization"},
    {LEAD_ROOT, "group", E_GROUP, G_G, "write", 1, "leader of the parent writes"},
    {LEAD_G, "group", E_GROUP, G_G, "write", 1, "leader writes own group"},
    {LEAD_G, "group", E_GROUP, G_R, "read", 0, "leader of a child does not read the parent"},
    {MEMBER_G, "group", E_GROUP, G_G, "read", 1, "member reads"},
    {MEMBER_G, "group", E_GROUP, G_G, "write", 0, "member does not write"},
    {LEAD_H, "group", E_GROUP, G_G, "read", 0, "leader of a sibling"},
    {OUTSIDER, "group", E_GROUP, G_G, "read", 0, "other organization"},
    {LEAD_G, "group", E_GROUP, G_R, "contain", 1, "leader of a descendant: contained"},
    {MEMBER_G, "group", E_GROUP, G_R, "contain", 1, "member of a descendant: contained"},
    {SELF, "group", E_GROUP, G_R, "contain", 1, "own individual in a descendant"},
    {SELF, "group", E_GROUP, G_G, "contain", 0, "own individual elsewhere"},
    {LEAD_ROOT, "group", E_GROUP, G_G, "contain", 0, "leader of the parent is not contained"},
    {ADMIN_A, "group", E_GROUP, G_G, "contain", 0, "admin is not contained"},
    /* system and app.* */
    {PADMIN, "system", E_TEXT, 0, "read", 1, "platform admin, system"},
    {PADMIN, "app.messaging", E_TEXT, 0, "write", 1, "platform admin, app"},
    {ADMIN_A, "system", E_TEXT, 0, "read", 0, "organization admin, system"},
    {ADMIN_A, "app.messaging", E_TEXT, 0, "read", 0, "organization admin, app"},
    {PADMIN, "system", E_NONE, 0, "write", 1, "platform admin, system, empty id"},
    /* empty ids: at least one entity */
    {LEAD_G, "individual", E_NONE, 0, "read", 1, "some individual readable"},
    {NOBODY, "individual", E_NONE, 0, "read", 0, "nothing readable"},
    {MEMBER_G, "individual", E_NONE, 0, "write", 0, "nothing writable"},
    {MEMBER_W, "individual", E_NONE, 0, "write", 1, "something writable"},
    {SELF, "individual", E_NONE, 0, "write", 1, "own individual writable"},
    {ADMIN_A, "group", E_NONE, 0, "write", 1, "admin writes some group"},
    {MEMBER_G, "group", E_NONE, 0, "write", 0, "member writes no group"},
    {NOBODY, "organization", E_NONE, 0, "read", 0, "no organization"},
    {OUTSIDER, "organization", E_NONE, 0, "read", 1, "some organization"},
    {LEAD_G, "group", E_NONE, 0, "contain", 1, "contained somewhere"},
    {NOBODY, "group", E_NONE, 0, "contain", 0, "contained nowhere"},
    {DISABLED, "organization", E_NONE, 0, "write", 0, "disabled: nothing"},
};

static const char *ent_id(const struct world *w, enum ent kind, int idx)
{
    switch (kind) {
    case E_IND: return w->i[idx];
    case E_GROUP: return w->g[idx];
    case E_ORG: return w->o[idx];
    case E_TEXT: return "free text-42/x";
    default: return "";
    }
}

ParameterizedTestParameters(authz_access, rule)
{
    IT_INDEX_PARAMS(rule_cases);
}

ParameterizedTest(size_t *k, authz_access, rule, .timeout = 30)
{
    IT_REQUIRE_STACK();
    const struct rule_case *c = &rule_cases[*k];
    struct world w;
    char token[4097], query[300];
    world_build(&w);
    it_admin_token(token);
    q(query, c->type, ent_id(&w, c->kind, c->idx), c->op);
    const char *qs[1] = {query};
    cr_assert(eq(int, check(token, w.u[c->who], qs, 1), c->allow), "%s (%s)", c->why, c->type);
}

Test(authz_access, queries_are_anded, .timeout = 30)
{
    IT_REQUIRE_STACK();
    struct world w;
    char token[4097], a[300], b[300], c[300];
    world_build(&w);
    it_admin_token(token);
    q(a, "individual", w.i[I_1], "read");
    q(b, "group", w.g[G_G], "write");
    q(c, "group", w.g[G_R], "write");
    cr_assert(eq(int, check(token, w.u[LEAD_G], (const char *const[]){a, b}, 2), 1));
    cr_assert(eq(int, check(token, w.u[LEAD_G], (const char *const[]){a, b, c}, 3), 0));
    cr_assert(eq(int, check(token, w.u[LEAD_G], (const char *const[]){c, a}, 2), 0));
}

/* ---- bad input ---- */

struct bad_case {
    const char *body; /* %s = a valid user id */
    const char *pointer;
};

static const struct bad_case bad_cases[] = {
    {"{\"access-query\": [\"individual:read\"], \"user-id\": \"%s\"}", "/access-query/0"},
    {"{\"access-query\": [\"system::read\", \"group:x:y:read\"], \"user-id\": \"%s\"}",
     "/access-query/1"},
    {"{\"access-query\": [\"system:a:b:read\"], \"user-id\": \"%s\"}", "/access-query/0"},
    {"{\"access-query\": [\"patient::read\"], \"user-id\": \"%s\"}", "/access-query/0"},
    {"{\"access-query\": [\"individual:1234:read\"], \"user-id\": \"%s\"}", "/access-query/0"},
    {"{\"access-query\": [\"individual::delete\"], \"user-id\": \"%s\"}", "/access-query/0"},
    {"{\"access-query\": [\"individual::contain\"], \"user-id\": \"%s\"}", "/access-query/0"},
    {"{\"access-query\": [\"\"], \"user-id\": \"%s\"}", "/access-query/0"},
    {"{\"access-query\": [\"system:"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:read\"],"
     " \"user-id\": \"%s\"}",
     "/access-query/0"},
    {"{\"access-query\": [], \"user-id\": \"%s\"}", "/access-query"},
    {"{\"access-query\": \"system::read\", \"user-id\": \"%s\"}", "/access-query"},
    {"{\"access-query\": [7], \"user-id\": \"%s\"}", "/access-query/0"},
    {"{\"user-id\": \"%s\"}", "/access-query"},
    {"{\"access-query\": [\"system::read\"], \"user-id\": \"nope\"}", "/user-id"},
    {"{\"access-query\": [\"system::read\"]}", "/user-id"},
    {"{\"access-query\": [\"system::read\"], \"user-id\": \"%s\", \"extra\": 1}", "/extra"},
};

ParameterizedTestParameters(authz_access, bad_query)
{
    IT_INDEX_PARAMS(bad_cases);
}

ParameterizedTest(size_t *k, authz_access, bad_query, .timeout = 30)
{
    IT_REQUIRE_STACK();
    char token[4097], body[1024];
    json_t *doc = NULL;
    it_admin_token(token);
    snprintf(body, sizeof body, bad_cases[*k].body, "0b6f4d8e-1c2a-4e7b-9f00-123456789abc");
    long status = af_call("POST", "/v1/authz-resource-access/", token, body, &doc);
    cr_assert(eq(long, status, 400), "%s", body);
    af_error(doc, 400, bad_cases[*k].pointer);
    json_decref(doc);
}

Test(authz_access, a_query_of_256_characters_is_accepted, .timeout = 30)
{
    IT_REQUIRE_STACK();
    char token[4097], query[300];
    struct world w;
    world_build(&w);
    it_admin_token(token);
    memset(query, 'x', sizeof query);
    memcpy(query, "system:", 7);
    memcpy(query + 256 - 5, ":read", 6);
    cr_assert(eq(sz, strlen(query), 256));
    cr_assert(eq(int, check(token, w.u[PADMIN], (const char *const[]){query}, 1), 1));
}

/* ---- who may ask ---- */

Test(authz_access, a_user_asks_about_themselves_only, .timeout = 30)
{
    IT_REQUIRE_STACK();
    PGconn *pg = it_pg();
    char username[128], id[40], token[AF_TOKEN_MAX];
    struct world w;
    json_t *doc = NULL;
    world_build(&w);
    af_user(pg, "authz-self-", 1, 1, username, id);
    PQfinish(pg);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 201));
    snprintf(token, sizeof token, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    cr_assert(token[0] != '\0');
    json_t *body = json_pack("{s:[s], s:s}", "access-query", "system::read", "user-id", id);
    cr_assert(eq(long, post_json("/v1/authz-resource-access/", token, body, &doc), 201));
    cr_assert(it_true(json_is_false(json_object_get(doc, "allow"))), "a plain user: no system");
    json_decref(doc);
    body = json_pack("{s:[s], s:s}", "access-query", "system::read", "user-id", w.u[NOBODY]);
    cr_assert(eq(long, post_json("/v1/authz-resource-access/", token, body, &doc), 404));
    af_error(doc, 404, "/user-id");
    json_decref(doc);
    body = json_pack("{s:[s], s:s}", "access-query", "system::read", "user-id", id);
    cr_assert(eq(long, post_json("/v1/authz-resource-access/", NULL, body, &doc), 401));
    af_error(doc, 401, NULL);
    json_decref(doc);
}

Test(authz_access, an_organization_admin_asks_about_its_members, .timeout = 30)
{
    IT_REQUIRE_STACK();
    PGconn *pg = it_pg();
    char username[128], id[40], org[40], token[AF_TOKEN_MAX];
    struct world w;
    json_t *doc = NULL;
    world_build(&w);
    af_org(pg, org);
    af_user(pg, "authz-orgadmin-", 1, 1, username, id);
    af_member(pg, id, org, "admin");
    member_of(pg, w.u[NOBODY], org, NULL); /* NOBODY joins the admin's organization */
    PQfinish(pg);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 201));
    snprintf(token, sizeof token, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    json_t *body = json_pack("{s:[s], s:s}", "access-query", "organization::read", "user-id",
                             w.u[NOBODY]);
    cr_assert(eq(long, post_json("/v1/authz-resource-access/", token, body, &doc), 201));
    cr_assert(it_true(json_is_true(json_object_get(doc, "allow"))));
    json_decref(doc);
    body = json_pack("{s:[s], s:s}", "access-query", "system::read", "user-id", w.u[ADMIN_A]);
    cr_assert(eq(long, post_json("/v1/authz-resource-access/", token, body, &doc), 404));
    af_error(doc, 404, NULL);
    json_decref(doc);
}

/* ---- #15 bulk ---- */

Test(authz_access, bulk_combined_and_individually, .timeout = 30)
{
    IT_REQUIRE_STACK();
    struct world w;
    char token[4097], a[300], b[300];
    json_t *doc = NULL, *list;
    world_build(&w);
    it_admin_token(token);
    q(a, "individual", w.i[I_1], "read");
    q(b, "individual", w.i[I_1], "write");
    /* combined: one answer per user, the queries ANDed */
    json_t *body = json_pack("{s:{s:[s,s], s:b, s:[s,s,s]}}", "multi-user-ids", "access-query", a, b,
                             "individually", 0, "user-ids", w.u[LEAD_G], w.u[MEMBER_G], w.u[NOBODY]);
    cr_assert(eq(long, post_json("/v1/bulk-authz-resource-access/", token, body, &doc), 201));
    list = json_object_get(doc, "access-queries");
    cr_assert(eq(sz, json_array_size(list), 3));
    const int want[3] = {1, 0, 0};
    for (size_t k = 0; k < 3; k++) {
        json_t *e = json_array_get(list, k);
        cr_assert(eq(int, json_is_true(json_object_get(e, "allow")), want[k]), "user %zu", k);
        cr_assert(eq(sz, json_array_size(json_object_get(e, "access-query")), 2));
    }
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_array_get(list, 1), "user-id")),
                 w.u[MEMBER_G]));
    json_decref(doc);
    /* individually: one answer per (user, query), users outer */
    body = json_pack("{s:{s:[s,s], s:b, s:[s,s]}}", "multi-user-ids", "access-query", a, b,
                     "individually", 1, "user-ids", w.u[LEAD_G], w.u[MEMBER_G]);
    cr_assert(eq(long, post_json("/v1/bulk-authz-resource-access/", token, body, &doc), 201));
    list = json_object_get(doc, "access-queries");
    cr_assert(eq(sz, json_array_size(list), 4));
    const int want2[4] = {1, 1, 1, 0};
    for (size_t k = 0; k < 4; k++) {
        json_t *e = json_array_get(list, k);
        json_t *aq = json_object_get(e, "access-query");
        cr_assert(eq(int, json_is_true(json_object_get(e, "allow")), want2[k]), "answer %zu", k);
        cr_assert(eq(sz, json_array_size(aq), 1));
        cr_assert(eq(str, (char *)json_string_value(json_array_get(aq, 0)), k % 2 ? b : a));
    }
    json_decref(doc);
    /* bad forms */
    body = json_pack("{s:{s:[s], s:[]}}", "multi-user-ids", "access-query", a, "user-ids");
    cr_assert(eq(long, post_json("/v1/bulk-authz-resource-access/", token, body, &doc), 400));
    af_error(doc, 400, "/multi-user-ids/user-ids");
    json_decref(doc);
    body = json_pack("{s:{s:[s], s:[s]}}", "multi-user-ids", "access-query", "group:1:read",
                     "user-ids", w.u[LEAD_G]);
    cr_assert(eq(long, post_json("/v1/bulk-authz-resource-access/", token, body, &doc), 400));
    af_error(doc, 400, "/multi-user-ids/access-query/0");
    json_decref(doc);
    body = json_pack("{s:{s:[s], s:[s], s:i}}", "multi-user-ids", "access-query", a, "user-ids",
                     w.u[LEAD_G], "other", 1);
    cr_assert(eq(long, post_json("/v1/bulk-authz-resource-access/", token, body, &doc), 400));
    af_error(doc, 400, "/multi-user-ids/other");
    json_decref(doc);
}

/* ---- listings ---- */

/* Asserts doc's key holds exactly the n ids (any order; as strings or
 * {id} objects) and meta's total. */
static void assert_ids(const json_t *doc, const char *key, const char *const *ids, size_t n,
                       long total)
{
    const json_t *arr = json_object_get(doc, key), *meta = json_object_get(doc, "meta");
    cr_assert(eq(sz, json_array_size(arr), n), "%s has %zu ids", key, json_array_size(arr));
    for (size_t k = 0; k < n; k++) {
        int found = 0;
        for (size_t j = 0; j < json_array_size(arr); j++) {
            const json_t *e = json_array_get(arr, j);
            const char *s = json_is_object(e) ? json_string_value(json_object_get(e, "id"))
                                              : json_string_value(e);
            found |= s && !strcmp(s, ids[k]);
        }
        cr_assert(found, "%s lacks %s", key, ids[k]);
    }
    cr_assert(eq(int, json_integer_value(json_object_get(meta, "page[total]")), total));
}

Test(authz_access, accessible_resources, .timeout = 30)
{
    IT_REQUIRE_STACK();
    struct world w;
    char token[4097];
    json_t *doc = NULL;
    world_build(&w);
    it_admin_token(token);
    json_t *body = json_pack("{s:[s], s:s}", "access-query", "individual::read", "user-id",
                             w.u[LEAD_ROOT]);
    cr_assert(eq(long, post_json("/v1/authz-get-accessible-resources/", token, body, &doc), 201));
    assert_ids(doc, "resource-ids", (const char *const[]){w.i[I_1], w.i[I_2], w.i[I_SELF]}, 3, 3);
    cr_assert(eq(int, json_integer_value(json_object_get(json_object_get(doc, "meta"), "page[limit]")),
                 5000));
    json_decref(doc);
    /* read AND write for a member: only the members_can_write group's */
    body = json_pack("{s:[s,s], s:s}", "access-query", "individual::read", "individual::write",
                     "user-id", w.u[MEMBER_W]);
    cr_assert(eq(long, post_json("/v1/authz-get-accessible-resources/", token, body, &doc), 201));
    assert_ids(doc, "resource-ids", (const char *const[]){w.i[I_2]}, 1, 1);
    json_decref(doc);
    /* groups an admin writes, narrowed to an organization; page bounds */
    body = json_pack("{s:[s], s:s, s:s, s:i, s:i}", "access-query", "group::write", "user-id",
                     w.u[ADMIN_A], "organization-id", w.o[O_A], "page[limit]", 0, "page[offset]", 0);
    cr_assert(eq(long, post_json("/v1/authz-get-accessible-resources/", token, body, &doc), 201));
    assert_ids(doc, "resource-ids", NULL, 0, 4);
    json_decref(doc);
    body = json_pack("{s:[s], s:s, s:i, s:i}", "access-query", "group::write", "user-id",
                     w.u[ADMIN_A], "page[limit]", 100000, "page[offset]", 3);
    cr_assert(eq(long, post_json("/v1/authz-get-accessible-resources/", token, body, &doc), 201));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "resource-ids")), 1));
    json_decref(doc);
    /* organizations; a disabled user has nothing */
    body = json_pack("{s:[s], s:s}", "access-query", "organization::read", "user-id", w.u[OUTSIDER]);
    cr_assert(eq(long, post_json("/v1/authz-get-accessible-resources/", token, body, &doc), 201));
    assert_ids(doc, "resource-ids", (const char *const[]){w.o[O_B]}, 1, 1);
    json_decref(doc);
    body = json_pack("{s:[s], s:s}", "access-query", "group::read", "user-id", w.u[DISABLED]);
    cr_assert(eq(long, post_json("/v1/authz-get-accessible-resources/", token, body, &doc), 201));
    assert_ids(doc, "resource-ids", NULL, 0, 0);
    json_decref(doc);
    /* refused: limits, an id in the query, mixed or unlistable types */
    static const char *const bad[][2] = {
        {"{\"access-query\": [\"individual::read\"], \"user-id\": \"%s\", \"page[limit]\": 100001}",
         "/page[limit]"},
        {"{\"access-query\": [\"individual::read\"], \"user-id\": \"%s\", \"page[limit]\": -1}",
         "/page[limit]"},
        {"{\"access-query\": [\"individual::read\"], \"user-id\": \"%s\", \"page[offset]\": -1}",
         "/page[offset]"},
        {"{\"access-query\": [\"individual:" "0b6f4d8e-1c2a-4e7b-9f00-123456789abc" ":read\"],"
         " \"user-id\": \"%s\"}",
         "/access-query/0"},
        {"{\"access-query\": [\"individual::read\", \"group::read\"], \"user-id\": \"%s\"}",
         "/access-query/1"},
        {"{\"access-query\": [\"system::read\"], \"user-id\": \"%s\"}", "/access-query/0"},
        {"{\"access-query\": [], \"user-id\": \"%s\"}", "/access-query"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char text[512];
        snprintf(text, sizeof text, bad[k][0], w.u[ADMIN_A]);
        cr_assert(eq(long, af_call("POST", "/v1/authz-get-accessible-resources/", token, text, &doc),
                     400), "%s", text);
        af_error(doc, 400, bad[k][1]);
        json_decref(doc);
    }
}

/* GET path?query as token; status and parsed body. */
static long get(const char *token, json_t **doc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static long get(const char *token, json_t **doc, const char *fmt, ...)
{
    char path[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return af_call("GET", path, token, NULL, doc);
}

Test(authz_access, authz_individuals_filters_and_pages, .timeout = 30)
{
    IT_REQUIRE_STACK();
    struct world w;
    char token[4097];
    json_t *doc = NULL;
    PGconn *pg = it_pg();
    world_build(&w);
    run_sql(pg,
            "UPDATE authz.individuals SET first_name = 'Ada', last_name = 'Lovelace',"
            " email = 'ada@example.com', phone = '+15550001', birth_date = '1990-12-10',"
            " account_type = 'patient', email_verified = true, registered = true WHERE id = $1",
            1, (const char *const[]){w.i[I_2]});
    PQfinish(pg);
    it_admin_token(token);
    /* LEAD_ROOT reads I1, I2, I_SELF */
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[LEAD_ROOT], ""), 200));
    assert_ids(doc, "resource-ids", (const char *const[]){w.i[I_1], w.i[I_2], w.i[I_SELF]}, 3, 3);
    json_decref(doc);
    /* ADMIN_A reads all four of A; write for MEMBER_G: none */
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A], ""), 200));
    assert_ids(doc, "resource-ids", (const char *const[]){w.i[I_1], w.i[I_2], w.i[I_SELF], w.i[I_3]},
               4, 4);
    json_decref(doc);
    cr_assert(eq(long, get(token, &doc, BASE, "write", w.u[MEMBER_G], ""), 200));
    assert_ids(doc, "resource-ids", NULL, 0, 0);
    json_decref(doc);
    /* each filter */
    char f[512];
    static const char *const one_match[] = {
        "&filter[first-name]=ada", "&filter[last-name]=Lovelace", "&filter[email]=ADA@example.com",
        "&filter[phone]=%2B15550001", "&filter[birth-date]=1990-12-10",
        "&filter[account-type]=patient", "&filter[email-verified]=true", "&filter[registered]=true",
    };
    for (size_t k = 0; k < sizeof one_match / sizeof one_match[0]; k++) {
        cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A], one_match[k]), 200),
                  "%s", one_match[k]);
        assert_ids(doc, "resource-ids", (const char *const[]){w.i[I_2]}, 1, 1);
        json_decref(doc);
    }
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A], "&filter[phone-verified]=true"), 200));
    assert_ids(doc, "resource-ids", NULL, 0, 0);
    json_decref(doc);
    snprintf(f, sizeof f, "&filter[group-id]=%s", w.g[G_R]); /* the subtree of R */
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A], f), 200));
    assert_ids(doc, "resource-ids", (const char *const[]){w.i[I_1], w.i[I_2], w.i[I_SELF]}, 3, 3);
    json_decref(doc);
    snprintf(f, sizeof f, "&filter[group-members-with-leader-id]=%s", w.u[LEAD_G]);
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A], f), 200));
    assert_ids(doc, "resource-ids", (const char *const[]){w.i[I_1]}, 1, 1);
    json_decref(doc);
    snprintf(f, sizeof f, "&filter[organization-id]=%s", w.o[O_B]);
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A], f), 200));
    assert_ids(doc, "resource-ids", NULL, 0, 0);
    json_decref(doc);
    snprintf(f, sizeof f, "&filter[exclude-owner-ids]=%s&filter[exclude-owner-ids]=%s", w.o[O_B],
             w.o[O_A]);
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[LEAD_ROOT], f), 200));
    assert_ids(doc, "resource-ids", NULL, 0, 0);
    json_decref(doc);
    /* pages: limit 0 and 100000 accepted, total right; bounds refused */
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A], "&page[limit]=0"), 200));
    assert_ids(doc, "resource-ids", NULL, 0, 4);
    json_decref(doc);
    cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A],
                           "&page[limit]=100000&page[offset]=1"), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "resource-ids")), 3));
    cr_assert(eq(int, json_integer_value(json_object_get(json_object_get(doc, "meta"), "page[total]")), 4));
    json_decref(doc);
    static const char *const bad[][2] = {
        {"&page[limit]=100001", "page[limit]"}, {"&page[limit]=-1", "page[limit]"},
        {"&page[offset]=-1", "page[offset]"},   {"&filter[birth-date]=1990-02-30", "filter[birth-date]"},
        {"&filter[email-verified]=maybe", "filter[email-verified]"},
        {"&filter[group-id]=nope", "filter[group-id]"},
        {"&filter[exclude-owner-ids]=", "filter[exclude-owner-ids]"},
        {"&filter[account-type]=abcdefghijk", "filter[account-type]"},
        {"&filter[unknown]=1", "filter[unknown]"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cr_assert(eq(long, get(token, &doc, BASE, "read", w.u[ADMIN_A], bad[k][0]), 400), "%s",
                  bad[k][0]);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(
                              json_array_get(json_object_get(doc, "errors"), 0), "source"),
                              "parameter")),
                     (char *)bad[k][1]));
        json_decref(doc);
    }
    cr_assert(eq(long, get(token, &doc, "/v1/authz-individuals/?user-id=%s", w.u[ADMIN_A]), 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
    cr_assert(eq(long, get(token, &doc, "/v1/authz-individuals/?operation=contain&user-id=%s",
                           w.u[ADMIN_A]), 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
    cr_assert(eq(long, get(token, &doc, "/v1/authz-individuals/?operation=read"), 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
}

Test(authz_access, resource_accessors, .timeout = 30)
{
    IT_REQUIRE_STACK();
    struct world w;
    char token[4097], path[1024];
    json_t *doc = NULL;
    world_build(&w);
    it_admin_token(token);
    /* who reads I1 (besides platform admins): ADMIN_A, LEAD_ROOT, LEAD_G, MEMBER_G; the disabled
     * admin is not listed */
    snprintf(path, sizeof path,
             "/v1/authz-resource-accessors/?operation=read&resource-type=individual&resource-id=%s"
             "&organization-id=%s",
             w.i[I_1], w.o[O_A]);
    cr_assert(eq(long, af_call("GET", path, token, NULL, &doc), 200));
    assert_ids(doc, "data", (const char *const[]){w.u[ADMIN_A], w.u[LEAD_ROOT], w.u[LEAD_G], w.u[MEMBER_G]},
               4, 4);
    json_decref(doc);
    /* write on I1 or I2 (union): MEMBER_W joins, MEMBER_G leaves */
    snprintf(path, sizeof path,
             "/v1/authz-resource-accessors/?operation=write&resource-type=individual&resource-id=%s,%s"
             "&organization-id=%s",
             w.i[I_1], w.i[I_2], w.o[O_A]);
    cr_assert(eq(long, af_call("GET", path, token, NULL, &doc), 200));
    assert_ids(doc, "data", (const char *const[]){w.u[ADMIN_A], w.u[LEAD_ROOT], w.u[LEAD_G], w.u[MEMBER_W]},
               4, 4);
    json_decref(doc);
    /* organization writers of A; a page of one */
    snprintf(path, sizeof path,
             "/v1/authz-resource-accessors/?operation=write&resource-type=organization&resource-id=%s"
             "&organization-id=%s&page[limit]=1",
             w.o[O_A], w.o[O_A]);
    cr_assert(eq(long, af_call("GET", path, token, NULL, &doc), 200));
    assert_ids(doc, "data", (const char *const[]){w.u[ADMIN_A]}, 1, 1);
    json_decref(doc);
    /* platform admins are accessors of everything */
    snprintf(path, sizeof path,
             "/v1/authz-resource-accessors/?operation=read&resource-type=organization&resource-id=%s"
             "&page[limit]=100000",
             w.o[O_B]);
    cr_assert(eq(long, af_call("GET", path, token, NULL, &doc), 200));
    int found_padmin = 0, found_outsider = 0;
    json_t *arr = json_object_get(doc, "data");
    for (size_t k = 0; k < json_array_size(arr); k++) {
        const char *id = json_string_value(json_object_get(json_array_get(arr, k), "id"));
        found_padmin |= !strcmp(id, w.u[PADMIN]);
        found_outsider |= !strcmp(id, w.u[OUTSIDER]);
    }
    cr_assert(found_padmin && found_outsider);
    json_decref(doc);
    /* refused */
    static const char *const bad[][2] = {
        {"operation=read&resource-type=individual", "resource-id"},
        {"operation=read&resource-type=group&resource-id=" "0b6f4d8e-1c2a-4e7b-9f00-123456789abc", "resource-type"},
        {"operation=contain&resource-type=individual&resource-id=" "0b6f4d8e-1c2a-4e7b-9f00-123456789abc", "operation"},
        {"operation=read&resource-type=individual&resource-id=nope", "resource-id"},
        {"operation=read&resource-type=individual&resource-id=" "0b6f4d8e-1c2a-4e7b-9f00-123456789abc" "&page[limit]=100001", "page[limit]"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snprintf(path, sizeof path, "/v1/authz-resource-accessors/?%s", bad[k][0]);
        cr_assert(eq(long, af_call("GET", path, token, NULL, &doc), 400), "%s", path);
        json_decref(doc);
    }
    /* 51 ids are too many */
    size_t len = (size_t)snprintf(path, sizeof path,
                                  "/v1/authz-resource-accessors/?operation=read&resource-type=individual");
    char big[4096];
    memcpy(big, path, len + 1);
    for (int k = 0; k < 51; k++)
        len += (size_t)snprintf(big + len, sizeof big - len, "&resource-id=%s", w.i[I_1]);
    cr_assert(eq(long, af_call("GET", big, token, NULL, &doc), 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
}

/* ---- the typed RPCs and their cache ---- */

static natsConnection *nats(void)
{
    natsConnection *nc = NULL;
    cr_assert(eq(int, cm_nats_connect(it_env("TEST_NATS_URL"), "it-authz-access", 1, NULL, &nc),
                 CM_OK));
    return nc;
}

Test(authz_access, rpc_check_and_batch, .timeout = 30)
{
    IT_REQUIRE_STACK();
    struct world w;
    char a[300], b[300];
    int allow = -1;
    world_build(&w);
    natsConnection *nc = nats();
    q(a, "individual", w.i[I_1], "read");
    q(b, "individual", w.i[I_1], "write");
    cr_assert(eq(int, it_authz_rpc_check(nc, w.u[MEMBER_G], a, &allow), 0));
    cr_assert(eq(int, allow, 1));
    cr_assert(eq(int, it_authz_rpc_check(nc, w.u[MEMBER_G], b, &allow), 0));
    cr_assert(eq(int, allow, 0));
    cr_assert(eq(int, it_authz_rpc_check(nc, "not-a-uuid", a, &allow), 0));
    cr_assert(eq(int, allow, 0));
    cr_assert(eq(int, it_authz_rpc_check(nc, w.u[MEMBER_G], "individual:1:read", &allow), CM_EINVAL));

    Authz__CheckRequest c1 = AUTHZ__CHECK_REQUEST__INIT, c2 = AUTHZ__CHECK_REQUEST__INIT;
    Authz__CheckRequest *cs[2] = {&c1, &c2};
    Authz__CheckBatchRequest in = AUTHZ__CHECK_BATCH_REQUEST__INIT;
    char *q1[2] = {a, b}, *q2[1] = {a};
    Envelope__RpcReply *reply = NULL;
    size_t len;
    c1.user_id = w.u[LEAD_G];
    c1.access_queries = q1;
    c1.n_access_queries = 2;
    c2.user_id = w.u[LEAD_H];
    c2.access_queries = q2;
    c2.n_access_queries = 1;
    in.checks = cs;
    in.n_checks = 2;
    uint8_t *payload = cm_pack(&in.base, &len);
    cr_assert(eq(int, cm_nats_rpc(nc, "authz.rpc.CheckBatch", NULL, NULL, payload, len, 3000, &reply), CM_OK));
    free(payload);
    cr_assert(eq(int, reply->code, 0), "%s", reply->message);
    Authz__CheckBatchReply *out = authz__check_batch_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    cr_assert(out != NULL && out->n_results == 2);
    cr_assert(eq(int, out->results[0]->allow, 1));
    cr_assert(eq(int, out->results[1]->allow, 0));
    authz__check_batch_reply__free_unpacked(out, NULL);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    cm_nats_close(nc, 1000);
}

/* The access index: a change made straight in the tables reaches both the
 * RPC and HTTP once the index applied the change log (it_authz_index_fresh
 * polls for that); a change made through the groups API is seen by the very
 * next check, with no waiting (read-your-writes). */
Test(authz_access, checks_follow_table_changes_and_see_api_writes_at_once, .timeout = 30)
{
    IT_REQUIRE_STACK();
    struct world w;
    char query[300], token[4097], path[256];
    int allow = -1;
    PGconn *pg = it_pg();
    world_build(&w);
    it_admin_token(token);
    natsConnection *nc = nats();
    q(query, "individual", w.i[I_1], "read");
    cr_assert(eq(int, it_authz_rpc_check(nc, w.u[MEMBER_G], query, &allow), 0));
    cr_assert(eq(int, allow, 1));
    run_sql(pg, "DELETE FROM authz.group_members WHERE group_id = $1 AND user_id = $2", 2,
            (const char *const[]){w.g[G_G], w.u[MEMBER_G]});
    it_authz_index_fresh();
    cr_assert(eq(int, check(token, w.u[MEMBER_G], (const char *const[]){query}, 1), 0));
    cr_assert(eq(int, it_authz_rpc_check(nc, w.u[MEMBER_G], query, &allow), 0));
    cr_assert(eq(int, allow, 0), "the RPC follows a change made in the tables");
    in_group(pg, MEMBER_SQL, w.g[G_G], w.u[MEMBER_G]); /* back as it was */
    it_authz_index_fresh();
    cr_assert(eq(int, check(token, w.u[MEMBER_G], (const char *const[]){query}, 1), 1));
    cr_assert(eq(int, it_authz_rpc_check(nc, w.u[MEMBER_G], query, &allow), 0));
    cr_assert(eq(int, allow, 1));
    PQfinish(pg);
    /* the groups API removes the member: the next checks see it, no waiting */
    snprintf(path, sizeof path, "/v1/individual-groups/%s/remove-members/", w.g[G_G]);
    json_t *body = json_pack("{s:[s], s:b}", "user-ids", w.u[MEMBER_G], "with-members", 1);
    json_t *doc = NULL;
    cr_assert(eq(long, post_json(path, token, body, &doc), 201));
    json_t *members =
        json_object_get(json_object_get(json_object_get(doc, "data"), "attributes"), "members");
    cr_assert(it_true(json_is_array(members)));
    cr_assert(eq(sz, json_array_size(members), 0), "the member is gone from the group's document");
    json_decref(doc);
    cr_assert(eq(int, it_authz_rpc_check(nc, w.u[MEMBER_G], query, &allow), 0));
    cr_assert(eq(int, allow, 0), "the RPC right after the write");
    cr_assert(eq(int, check(token, w.u[MEMBER_G], (const char *const[]){query}, 1), 0),
              "HTTP right after the write");
    cm_nats_close(nc, 1000);
}
