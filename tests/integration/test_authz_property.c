/* test_authz_property.c: suite authz_property: over the bench data set
 * (scripts/authz_dataset.sql, 2000 individuals: one organization, 200
 * groups in 4 trees, 100 staff users, 10 groups per individual), for a
 * sample of users u and resources r, the three ways authz answers agree:
 *
 *   check(u, r)  (authz.rpc.CheckBatch, from the in-memory access index)
 *     == the SQL rule of store_access_rules.h on the tables
 *     == r in accessible(u)   (#10 POST /v1/authz-get-accessible-resources/)
 *     == u in accessors(r)    (#13 GET /v1/authz-resource-accessors/;
 *                              individuals and organizations)
 *
 * for individual read / write, group read / write / contain and
 * organization read / write. The data set is added beside the suite's other
 * data (keep=1, a fresh seed) and removed at the end. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_fixtures.h"
#include "../../services/authz/store_access_rules.h"
#include "authz.pb-c.h"
#include "cm_nats.h"
#include "it_authz.h"
#include "harness.h"

#define NSTAFF_SAMPLE 10
#define NIND_SAMPLE 30
#define NGROUP_SAMPLE 30
#define NORG_SAMPLE 2 /* the data set's organization and an unknown one */
#define NRES (NIND_SAMPLE + NGROUP_SAMPLE + NORG_SAMPLE)

static const int staff_idx[NSTAFF_SAMPLE] = {0, 1, 2, 3, 10, 25, 40, 63, 77, 99}; /* 0: admin */

enum kind { K_IND, K_GROUP, K_ORG };

struct res {
    enum kind kind;
    char id[40];
};

struct sample {
    char seed[24];
    char users[NSTAFF_SAMPLE][40];
    struct res res[NRES];
};

static const char *const type_name[] = {"individual", "group", "organization"};
static const char *const ops_of[3][3] = {
    {"read", "write", NULL}, {"read", "write", "contain"}, {"read", "write", NULL}};

/* md5(seed:kind:index)::uuid, as the data set names its rows */
static void bid(PGconn *pg, const char *seed, const char *kind, long i, char out[40])
{
    char idx[24];
    snprintf(idx, sizeof idx, "%ld", i);
    const char *p[3] = {seed, kind, idx};
    char *v = it_pg_value(pg, "SELECT md5($1 || ':' || $2 || ':' || $3)::uuid::text", 3, p);
    snprintf(out, 40, "%s", v);
    free(v);
}

/* Writes the data set with a fresh seed; the sample of its users and
 * resources into s. */
static void dataset(struct sample *s)
{
    char dir[1024], script[1100], seed[32], out[512];
    snprintf(s->seed, sizeof s->seed, "%ld", (long)time(NULL) % 1000000000L + 1000);
    snprintf(seed, sizeof seed, "seed=%s", s->seed);
    snprintf(dir, sizeof dir, "%s", it_env("TEST_STACK"));
    snprintf(script, sizeof script, "%s/authz_dataset.sql", dirname(dir));
    /* the stack's own psql, as the admin role */
    int rc = it_stack(out, sizeof out, "psql", "-v", "individuals=2000", "-v", seed, "-v",
                      "samples=0", "-v", "keep=1", "-f", script, NULL);
    cr_assert(eq(int, rc, 0), "authz_dataset.sql: %s", out);

    PGconn *pg = it_pg();
    for (int k = 0; k < NSTAFF_SAMPLE; k++)
        bid(pg, s->seed, "user", staff_idx[k], s->users[k]);
    int n = 0;
    for (int k = 0; k < NIND_SAMPLE; k++, n++) {
        s->res[n].kind = K_IND;
        bid(pg, s->seed, "ind", (k * 67L) % 2000, s->res[n].id);
    }
    for (int k = 0; k < NGROUP_SAMPLE; k++, n++) {
        s->res[n].kind = K_GROUP;
        bid(pg, s->seed, "group", (k * 7L) % 200, s->res[n].id);
    }
    s->res[n].kind = K_ORG;
    bid(pg, s->seed, "org", 0, s->res[n++].id);
    s->res[n].kind = K_ORG;
    bid(pg, s->seed, "org", 1, s->res[n++].id); /* no such organization */
    PQfinish(pg);
    it_authz_index_fresh(); /* psql wrote behind authz's back */
}

/* Removes what dataset() added. */
static void dataset_remove(const struct sample *s)
{
    PGconn *pg = it_pg();
    char org[40];
    bid(pg, s->seed, "org", 0, org);
    const char *p[2] = {org, s->seed};
    static const char *const sql[] = {
        "DELETE FROM authz.groups WHERE organization_id = $1::uuid AND $2::text IS NOT NULL",
        "DELETE FROM authz.individuals WHERE owner_id = $1::uuid AND $2::text IS NOT NULL",
        "DELETE FROM authz.user_roles WHERE organization_id = $1::uuid AND $2::text IS NOT NULL",
        "DELETE FROM authz.users u WHERE u.email LIKE '%@bench.invalid' AND EXISTS (SELECT 1"
        " FROM authz.memberships m WHERE m.user_id = u.id AND m.organization_id = $1::uuid)"
        " AND $2::text IS NOT NULL",
        "DELETE FROM authz.memberships WHERE organization_id = $1::uuid AND $2::text IS NOT NULL",
    };
    for (size_t k = 0; k < sizeof sql / sizeof sql[0]; k++) {
        PGresult *r = PQexecParams(pg, sql[k], 2, NULL, p, NULL, NULL, 0);
        cr_assert(eq(int, PQresultStatus(r), PGRES_COMMAND_OK), "%s", PQerrorMessage(pg));
        PQclear(r);
    }
    PQfinish(pg);
}

/* One CheckBatch: allow[k] for queries[k] of user u (n <= 256). */
static void check_batch(natsConnection *nc, const char *u, char (*queries)[128], size_t n,
                        int *allow)
{
    Authz__CheckRequest *cs = calloc(n, sizeof *cs), **ptrs = calloc(n, sizeof *ptrs);
    char **qp = calloc(n, sizeof *qp);
    Authz__CheckBatchRequest in = AUTHZ__CHECK_BATCH_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    size_t len;
    for (size_t k = 0; k < n; k++) {
        authz__check_request__init(&cs[k]);
        qp[k] = queries[k];
        cs[k].user_id = (char *)u;
        cs[k].access_queries = &qp[k];
        cs[k].n_access_queries = 1;
        ptrs[k] = &cs[k];
    }
    in.checks = ptrs;
    in.n_checks = n;
    uint8_t *payload = cm_pack(&in.base, &len);
    cr_assert(eq(int,
                 cm_nats_rpc(nc, "authz.rpc.CheckBatch", NULL, NULL, payload, len, 10000, &reply),
                 CM_OK));
    cr_assert(eq(int, reply->code, 0), "%s", reply->message);
    Authz__CheckBatchReply *out =
        authz__check_batch_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    cr_assert(out != NULL);
    cr_assert(eq(sz, out->n_results, n));
    for (size_t k = 0; k < n; k++)
        allow[k] = out->results[k]->allow;
    authz__check_batch_reply__free_unpacked(out, NULL);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    free(payload);
    free(cs);
    free(ptrs);
    free(qp);
}

/* Whether string id is in the JSON array arr (of strings, or of {id}). */
static int has_id(const json_t *arr, const char *id)
{
    size_t k;
    json_t *v;
    json_array_foreach(arr, k, v)
    {
        const json_t *s = json_is_object(v) ? json_object_get(v, "id") : v;
        if (json_is_string(s) && !strcmp(json_string_value(s), id))
            return 1;
    }
    return 0;
}

/* #10 for u, "type::op": the ids (caller json_decref); asserts 201 and a
 * complete first page. */
static json_t *accessible(const char *token, const char *u, enum kind kind, const char *op)
{
    char q[64];
    json_t *doc = NULL;
    snprintf(q, sizeof q, "%s::%s", type_name[kind], op);
    json_t *body =
        json_pack("{s:[s], s:s, s:i}", "access-query", q, "user-id", u, "page[limit]", 100000);
    char *text = json_dumps(body, JSON_COMPACT);
    long status = af_call("POST", "/v1/authz-get-accessible-resources/", token, text, &doc);
    free(text);
    json_decref(body);
    cr_assert(eq(long, status, 201), "%s for %s", q, u);
    json_t *ids = json_object_get(doc, "resource-ids");
    cr_assert(it_true(json_is_array(ids)));
    cr_assert(
        eq(long,
           (long)json_integer_value(json_object_get(json_object_get(doc, "meta"), "page[total]")),
           (long)json_array_size(ids)));
    json_incref(ids);
    json_decref(doc);
    return ids;
}

/* #13 for resource r: the users (caller json_decref); asserts 200. */
static json_t *accessors(const char *token, const struct res *r, const char *op)
{
    char path[256];
    json_t *doc = NULL;
    snprintf(path, sizeof path,
             "/v1/authz-resource-accessors/?operation=%s&resource-type=%s&resource-id=%s", op,
             type_name[r->kind], r->id);
    cr_assert(eq(long, af_call("GET", path, token, NULL, &doc), 200), "%s", path);
    json_t *data = json_object_get(doc, "data");
    cr_assert(it_true(json_is_array(data)));
    json_incref(data);
    json_decref(doc);
    return data;
}

/* The SQL form of the rule of (kind, op) (store_access_rules.h, as
 * store_access.c asks it): does user u pass it for id? */
static int sql_check(PGconn *pg, const char *u, enum kind kind, int op, const char *id)
{
#define HEAD "SELECT u.platform_admin OR EXISTS (SELECT 1 FROM ("
#define TAIL                                                                                       \
    ") s(user_id, id) WHERE s.user_id = $1::uuid AND s.id = $2::uuid) FROM authz.users u"          \
    " WHERE u.id = $1::uuid AND u.enabled"
    static const char *const rules[3][3] = {
        {HEAD RULE_INDIVIDUAL_READ TAIL, HEAD RULE_INDIVIDUAL_WRITE TAIL, NULL},
        {HEAD RULE_GROUP_READ TAIL, HEAD RULE_GROUP_WRITE TAIL, HEAD RULE_GROUP_CONTAIN TAIL},
        {HEAD RULE_ORGANIZATION_READ TAIL, HEAD RULE_ORGANIZATION_WRITE TAIL, NULL},
    };
#undef HEAD
#undef TAIL
    const char *p[2] = {u, id};
    PGresult *res = PQexecParams(pg, rules[kind][op], 2, NULL, p, NULL, NULL, 0);
    cr_assert(eq(int, PQresultStatus(res), PGRES_TUPLES_OK), "%s", PQerrorMessage(pg));
    int yes = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return yes;
}

Test(authz_property, check_agrees_with_accessible_and_accessors, .timeout = 120)
{
    IT_REQUIRE_STACK();
    static struct sample s;
    static char queries[NRES * 3][128];
    static int allow[NRES * 3];
    char token[4097];
    long allowed = 0, denied = 0;

    dataset(&s);
    it_admin_token(token);
    PGconn *sql = it_pg(); /* the rules' SQL reads authz's tables unqualified */
    PQclear(PQexec(sql, "SET search_path = authz"));
    natsConnection *nc = NULL;
    cr_assert(eq(int, cm_nats_connect(it_env("TEST_NATS_URL"), "it-authz-property", 1, NULL, &nc),
                 CM_OK));
    /* accessors of every sampled individual and organization, per op */
    json_t *acc[NRES][2] = {{NULL}};
    for (int r = 0; r < NRES; r++)
        if (s.res[r].kind != K_GROUP)
            for (int o = 0; o < 2; o++)
                acc[r][o] = accessors(token, &s.res[r], ops_of[s.res[r].kind][o]);

    for (int k = 0; k < NSTAFF_SAMPLE; k++) {
        const char *u = s.users[k];
        json_t *set[3][3] = {{NULL}};
        size_t n = 0;
        for (int kind = K_IND; kind <= K_ORG; kind++)
            for (int o = 0; o < 3 && ops_of[kind][o]; o++)
                set[kind][o] = accessible(token, u, (enum kind)kind, ops_of[kind][o]);
        for (int r = 0; r < NRES; r++)
            for (int o = 0; o < 3 && ops_of[s.res[r].kind][o]; o++)
                snprintf(queries[n++], sizeof queries[0], "%s:%s:%s", type_name[s.res[r].kind],
                         s.res[r].id, ops_of[s.res[r].kind][o]);
        check_batch(nc, u, queries, n, allow);
        n = 0;
        for (int r = 0; r < NRES; r++) {
            enum kind kind = s.res[r].kind;
            for (int o = 0; o < 3 && ops_of[kind][o]; o++, n++) {
                int in_set = has_id(set[kind][o], s.res[r].id);
                int by_sql = sql_check(sql, u, kind, o, s.res[r].id);
                cr_assert(eq(int, allow[n], by_sql), "check(%s, %s) = %d but the SQL rule says %d",
                          u, queries[n], allow[n], by_sql);
                cr_assert(eq(int, allow[n], in_set), "check(%s, %s) = %d but accessible says %d", u,
                          queries[n], allow[n], in_set);
                if (acc[r][0]) {
                    int in_acc = has_id(acc[r][o], u);
                    cr_assert(eq(int, allow[n], in_acc), "check(%s, %s) = %d but accessors says %d",
                              u, queries[n], allow[n], in_acc);
                }
                allow[n] ? allowed++ : denied++;
            }
        }
        for (int kind = K_IND; kind <= K_ORG; kind++)
            for (int o = 0; o < 3; o++)
                json_decref(set[kind][o]);
    }
    /* the sample decides both ways, so the agreement says something */
    cr_assert(ge(long, allowed, 51), "allowed %ld", allowed);
    cr_assert(ge(long, denied, 51), "denied %ld", denied);
    for (int r = 0; r < NRES; r++)
        for (int o = 0; o < 2; o++)
            json_decref(acc[r][o]);
    cm_nats_close(nc, 1000);
    PQfinish(sql);
    dataset_remove(&s);
}
