/* test_zz_authz_index.c: suite zz_authz_index: read-your-writes of authz's
 * in-memory access index with two authz copies sharing the traffic. A
 * leader is added to and removed from a group through the groups API, and
 * right after each answer (no waiting, no retry) the leader's check of an
 * individual of the group, over HTTP (#12) and over authz.rpc.Check, says
 * what the write made true, whichever copy answers; and after a Postgres
 * restart the index still follows the tables at once. zz_: it starts a
 * second copy of authz and restarts Postgres; .fini puts the stack back
 * (it_stack_restore). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "authz.pb-c.h"
#include "cm_nats.h"
#include "harness.h"
#include "it_authz.h"
#include "test_users_fixtures.h"

#define ROUNDS 15

void ag_person(const char *org, const char *role, struct ut_user *u);
long ag_call(const char *method, const char *token, const char *body, json_t **doc, const char *fmt,
             ...) __attribute__((format(printf, 5, 6)));
void ag_individual(const char *token, const char *org, const char *user, char *id);
void ag_group(const char *token, const char *org, const char *parent, const char *extra, char *id);

static void restore(void)
{
    it_stack_restore(60000);
}

/* #12 as user u (its own token) for query: the answer */
static int http_check(const char *token, const char *u, const char *query)
{
    char body[512];
    json_t *doc = NULL;
    snprintf(body, sizeof body, "{\"access-query\": [\"%s\"], \"user-id\": \"%s\"}", query, u);
    cr_assert(eq(long, af_call("POST", "/v1/authz-resource-access/", token, body, &doc), 201));
    cr_assert(it_true(json_is_boolean(json_object_get(doc, "allow"))));
    int allow = json_is_true(json_object_get(doc, "allow"));
    json_decref(doc);
    return allow;
}

/* authz.rpc.Check for user u: the answer (the reply must be a success) */
static int rpc_check(natsConnection *nc, const char *u, const char *query)
{
    int allow = -1;
    cr_assert(eq(int, it_authz_rpc_check(nc, u, query, &allow), 0));
    return allow;
}

Test(zz_authz_index, a_write_is_seen_by_the_next_check_on_either_copy, .fini = restore,
     .timeout = 180)
{
    IT_REQUIRE_STACK();
    char org[UT_ID_LEN], g[40], ind[40], body[512], query[300];
    struct ut_user admin, leader;
    natsConnection *nc = NULL;

    ut_org(org);
    ag_person(org, "admin", &admin);
    ag_person(org, "provider", &leader);
    cr_assert(eq(int, it_stack(NULL, 0, "start", "authz", "2", NULL), 0), "a second authz copy");
    ag_group(admin.token, org, NULL, NULL, g);
    ag_individual(admin.token, org, NULL, ind);
    snprintf(body, sizeof body, "{\"individual-ids\": [\"%s\"]}", ind);
    cr_assert(
        eq(long,
           ag_call("POST", admin.token, body, NULL, "/v1/individual-groups/%s/add-individuals/", g),
           201));
    /* both copies are live and following the change log */
    PGconn *pg = it_pg();
    char *copies = it_pg_value(pg,
                               "SELECT count(*) FROM authz.index_copies"
                               " WHERE seen_at > now() - interval '3 seconds'",
                               0, NULL);
    cr_assert(eq(str, copies, "2"));
    free(copies);
    PQfinish(pg);
    cr_assert(
        eq(int, cm_nats_connect(it_env("TEST_NATS_URL"), "it-authz-index", 1, NULL, &nc), CM_OK));
    snprintf(query, sizeof query, "individual:%s:read", ind);
    snprintf(body, sizeof body, "{\"user-ids\": [\"%s\"]}", leader.id);
    cr_assert(eq(int, http_check(leader.token, leader.id, query), 0), "not a leader yet");
    for (int round = 0; round < ROUNDS; round++) {
        cr_assert(
            eq(long,
               ag_call("POST", admin.token, body, NULL, "/v1/individual-groups/%s/add-leaders/", g),
               201));
        cr_assert(eq(int, http_check(leader.token, leader.id, query), 1),
                  "round %d: HTTP right after add-leaders", round);
        cr_assert(eq(int, rpc_check(nc, leader.id, query), 1),
                  "round %d: RPC right after add-leaders", round);
        cr_assert(eq(int, rpc_check(nc, leader.id, query), 1), "round %d: the other copy", round);
        cr_assert(eq(
            long,
            ag_call("POST", admin.token, body, NULL, "/v1/individual-groups/%s/remove-leaders/", g),
            201));
        cr_assert(eq(int, http_check(leader.token, leader.id, query), 0),
                  "round %d: HTTP right after remove-leaders", round);
        cr_assert(eq(int, rpc_check(nc, leader.id, query), 0),
                  "round %d: RPC right after remove-leaders", round);
        cr_assert(eq(int, rpc_check(nc, leader.id, query), 0), "round %d: the other copy", round);
    }
    cm_nats_close(nc, 1000);
}

/* ms until authz's copies have applied the change log to its end (polled
 * every 2 ms, at most 5 s) */
static double ms_to_fresh(PGconn *pg)
{
    double t0 = it_now_ms();
    for (;;) {
        char *v = it_pg_value(pg,
                              "SELECT count(*) FROM authz.index_copies WHERE applied <"
                              " (SELECT coalesce(max(seq), 0) FROM authz.index_log)"
                              " AND seen_at > now() - interval '3 seconds'",
                              0, NULL);
        int fresh = v[0] == '0' && !v[1];
        free(v);
        if (fresh || it_now_ms() - t0 > 5000)
            return it_now_ms() - t0;
        usleep(2000);
    }
}

/* After a Postgres restart the index still follows the tables at once
 * (LISTEN renewed on the new connection), not only at its 1 s catch-up
 * tick: each of 5 direct table changes applied within 300 ms (the tick
 * alone would meet that about one time in three). */
Test(zz_authz_index, follows_the_tables_at_once_after_a_postgres_restart, .fini = restore,
     .timeout = 120)
{
    IT_REQUIRE_STACK();
    cr_assert(eq(int, it_stack(NULL, 0, "restart-pg", NULL), 0), "stack.sh restart-pg");
    cr_assert(it_wait_util_test_ok(10000));
    PGconn *pg = it_pg();
    char *user = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);
    const char *p[1] = {user};
    usleep(1500 * 1000); /* past a tick, whatever the reconnection did */
    cr_assert(lt(dbl, ms_to_fresh(pg), 5000.0), "caught up after the restart");
    for (int k = 0; k < 5; k++) {
        PGresult *r = PQexecParams(pg,
                                   k % 2 ? "DELETE FROM authz.users WHERE id = $1::uuid"
                                         : "INSERT INTO authz.users (id) VALUES ($1::uuid)",
                                   1, NULL, p, NULL, NULL, 0);
        cr_assert(eq(int, PQresultStatus(r), PGRES_COMMAND_OK), "%s", PQerrorMessage(pg));
        PQclear(r);
        double ms = ms_to_fresh(pg);
        cr_assert(lt(dbl, ms, 300.0), "change %d applied after %.0f ms", k, ms);
        usleep(100 * 1000);
    }
    PGresult *r =
        PQexecParams(pg, "DELETE FROM authz.users WHERE id = $1::uuid", 1, NULL, p, NULL, NULL, 0);
    PQclear(r);
    free(user);
    PQfinish(pg);
}

static void sql_ok(PGconn *pg, const char *sql, int n, const char *const *p)
{
    PGresult *r = PQexecParams(pg, sql, n, NULL, p, NULL, NULL, 0);
    cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
              "%s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
}

/* Pruning: within a prune period (60 s) of the copies having applied it,
 * the log holds no row up to index_pruned.upto, and upto reached the seq
 * the log was at when the test began. Copies not seen for 3 s are taken
 * as gone (as they would be after 10 minutes). */
Test(zz_authz_index, the_applied_log_is_pruned, .timeout = 120)
{
    IT_REQUIRE_STACK();
    PGconn *pg = it_pg();
    char *start =
        it_pg_value(pg, "SELECT coalesce(max(seq), 0)::text FROM authz.index_log", 0, NULL);
    const char *p[1] = {start};
    sql_ok(pg, "DELETE FROM authz.index_copies WHERE seen_at < now() - interval '3 seconds'", 0,
           NULL);
    double t0 = it_now_ms();
    char *done = NULL;
    for (;;) {
        free(done);
        done = it_pg_value(pg,
                           "SELECT (SELECT upto FROM authz.index_pruned) >= $1::bigint AND NOT"
                           " EXISTS (SELECT 1 FROM authz.index_log"
                           " WHERE seq <= (SELECT upto FROM authz.index_pruned))",
                           1, p);
        if (done[0] == 't' || it_now_ms() - t0 > 75000)
            break;
        usleep(200 * 1000);
    }
    cr_assert(eq(str, done, "t"), "log pruned up to seq %s within 75 s", start);
    free(done);
    free(start);
    PQfinish(pg);
}

/* A copy whose applied seq fell below what was pruned reads the tables
 * again: a user and membership are written with their log rows deleted and
 * index_pruned moved past them (as a prune would while the copy was away);
 * the check that needs them turns true. */
Test(zz_authz_index, a_copy_behind_the_pruned_log_rebuilds_from_the_tables, .timeout = 60)
{
    IT_REQUIRE_STACK();
    natsConnection *nc = NULL;
    char query[300];
    PGconn *pg = it_pg();
    char *user = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);
    char *org = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);
    const char *p[2] = {user, org};
    sql_ok(pg, "BEGIN", 0, NULL);
    sql_ok(pg,
           "INSERT INTO authz.users (id, last_populated_at) VALUES ($1::uuid, now() + interval '1 "
           "day')",
           1, p);
    sql_ok(pg, "INSERT INTO authz.memberships VALUES ($1::uuid, $2::uuid)", 2, p);
    sql_ok(pg, "DELETE FROM authz.index_log WHERE a = $1::uuid", 1, p);
    sql_ok(pg, "UPDATE authz.index_pruned SET upto = currval('authz.index_log_seq')", 0, NULL);
    sql_ok(pg, "COMMIT", 0, NULL);
    cr_assert(
        eq(int, cm_nats_connect(it_env("TEST_NATS_URL"), "it-authz-index", 1, NULL, &nc), CM_OK));
    snprintf(query, sizeof query, "organization:%s:read", org);
    double t0 = it_now_ms();
    int allow = 0;
    while (!(allow = rpc_check(nc, user, query)) && it_now_ms() - t0 < 5000)
        usleep(20 * 1000);
    cr_assert(eq(int, allow, 1), "the index was read again from the tables");
    cm_nats_close(nc, 1000);
    sql_ok(pg, "DELETE FROM authz.memberships WHERE user_id = $1::uuid", 1, p);
    sql_ok(pg, "DELETE FROM authz.users WHERE id = $1::uuid", 1, p);
    free(user);
    free(org);
    PQfinish(pg);
}
