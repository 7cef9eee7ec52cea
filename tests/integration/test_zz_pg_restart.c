/* test_zz_pg_restart.c: suite "zz_pg_restart": the suite across Postgres
 * restarts (issue 10, findings 3 and 4).
 *   - After a restart (fast shutdown) under the running stack, the first
 *     requests on every worker's idle connection are answered as before
 *     (a statement that finds its connection lost, with nothing of its
 *     transaction applied, runs again on a new connection), never 500;
 *     every daemon's /readyz is green again within a couple of seconds;
 *   - while Postgres is down, /readyz is red and requests get 503, not 500.
 *   - Every write answered 201 survives `pg_ctl stop -m immediate` (the
 *     stack runs with synchronous_commit and fsync on).
 * These disturb the stack; each .fini starts Postgres again and leaves the
 * stack whole (it_stack_restore), whatever happened, so the suite may run
 * in any order (zz_ only groups the disturbing suites). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "test_users_fixtures.h"

#define PER_SERVICE 12 /* requests per service after the restart: 3 per worker (4 workers) */
#define READY_WITHIN_MS 3000.0

TestSuite(zz_pg_restart, .timeout = 150);

static void restore_pg(void)
{
    if (!it_have_stack())
        return;
    it_stack(NULL, 0, "start-pg", NULL);
    it_stack_restore(35000);
}

/* Polls every daemon's /readyz until all answer 200; the time it took in
 * ms, or -1 after timeout_ms. */
static double ready_after(double timeout_ms)
{
    static const char *const daemons[] = {"identity", "authz", "messaging", "onboarding",
                                          "privacy", "edge"};
    double start = it_now_ms();

    while (it_now_ms() - start < timeout_ms) {
        int ok = 1;
        for (size_t i = 0; ok && i < sizeof daemons / sizeof daemons[0]; i++)
            ok = it_admin_status(it_admin_port(daemons[i], 1), "readyz") == 200;
        if (ok)
            return it_now_ms() - start;
        usleep(50 * 1000);
    }
    return -1;
}

/* method path as the admin (token): asserts the status is want. */
static void expect(const char *what, int i, const char *method, const char *path,
                   const char *token, const char *body, long want)
{
    struct it_resp r;

    it_call_token(&r, method, path, token, body);
    cr_assert(eq(long, r.status, want), "%s #%d after the restart: %ld %.300s", what, i + 1,
              r.status, r.body);
    it_resp_release(&r);
}

Test(zz_pg_restart, the_first_requests_after_a_restart_are_answered_and_readyz_follows,
     .fini = restore_pg)
{
    char admin[4097], path[128], body[512];
    struct ut_user u;
    char org[UT_ID_LEN];
    double ms;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    ut_org(org);
    ut_account(org, "patient", &u);

    cr_assert(eq(int, it_stack(NULL, 0, "restart-pg", NULL), 0), "stack.sh restart-pg");
    /* Postgres is back (pg_ctl start -w waited for it): readiness follows */
    ms = ready_after(READY_WITHIN_MS);
    cr_assert(ge(dbl, ms, 0.0), "every /readyz is 200 within %.0f ms of Postgres being back",
              READY_WITHIN_MS);

    /* identity: logins and user reads, each worker's connection idle since
     * the restart (readiness has its own connection) */
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}",
             it_env("TEST_ADMIN_EMAIL"), it_env("TEST_ADMIN_PASSWORD"));
    for (int i = 0; i < PER_SERVICE; i++)
        expect("admin login", i, "POST", "/v1/login/", NULL, body, 201);
    snprintf(path, sizeof path, "/v1/users/%s/", u.id);
    for (int i = 0; i < PER_SERVICE; i++)
        expect("user read", i, "GET", path, admin, NULL, 200);
    /* authz, onboarding: reads of their own tables */
    for (int i = 0; i < PER_SERVICE; i++)
        expect("authz groups", i, "GET", "/v1/individual-groups/", admin, NULL, 200);
    for (int i = 0; i < PER_SERVICE; i++)
        expect("organization codes", i, "GET", "/v1/organization-codes/", admin, NULL, 200);
    /* and the stack answers util/test as before */
    cr_assert(it_wait_util_test_ok(5000));
}

Test(zz_pg_restart, writes_answered_201_survive_an_immediate_shutdown, .fini = restore_pg)
{
    enum { N = 25 };
    char admin[4097], name[96], body[512], ids[N * 40 + 8] = "{";
    PGconn *pg;
    char *count;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    for (int i = 0; i < N; i++) {
        struct it_resp r;
        json_t *doc;
        it_unique(name, sizeof name, "durable-");
        snprintf(body, sizeof body,
                 "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"%s\","
                 "\"display-name\":\"Durable %s\",\"classification\":\"carium\","
                 "\"provider-type\":\"coach\",\"timezone\":\"Europe/Paris\"}},\"meta\":{}}",
                 name, name);
        it_call_token(&r, "POST", "/v1/organizations/", admin, body);
        cr_assert(eq(long, r.status, 201), "create organization: %.300s", r.body);
        doc = it_json(&r);
        strcat(ids, i ? "," : "");
        strcat(ids, json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
        json_decref(doc);
        it_resp_release(&r);
    }
    strcat(ids, "}");
    /* at once after the last 201: a crash of the server, as far as the
     * data is concerned (shared memory and unflushed WAL are gone) */
    cr_assert(eq(int, it_stack(NULL, 0, "stop-pg", "immediate", NULL), 0), "stop-pg immediate");
    cr_assert(eq(int, it_stack(NULL, 0, "start-pg", NULL), 0), "start-pg");
    pg = it_pg();
    count = it_pg_value(pg, "SELECT count(*) FROM identity.organizations WHERE id = ANY($1::uuid[])",
                        1, (const char *const[]){ids});
    cr_assert(eq(str, count, "25"), "every organization answered 201 is there");
    free(count);
    PQfinish(pg);
    cr_assert(ge(dbl, ready_after(10000), 0.0), "the suite is ready again");
}

Test(zz_pg_restart, while_postgres_is_down_requests_get_503_and_readyz_is_red, .fini = restore_pg)
{
    char admin[4097], path[128];
    struct ut_user u;
    char org[UT_ID_LEN];
    int identity = it_admin_port("identity", 1), authz = it_admin_port("authz", 1);
    double start;
    long st = 0;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    ut_org(org);
    ut_account(org, "patient", &u);
    snprintf(path, sizeof path, "/v1/users/%s/", u.id);

    cr_assert(eq(int, it_stack(NULL, 0, "stop-pg", NULL), 0), "stack.sh stop-pg");
    start = it_now_ms();
    while (it_now_ms() - start < READY_WITHIN_MS &&
           (st = it_admin_status(identity, "readyz")) != 503)
        usleep(50 * 1000);
    cr_assert(eq(long, st, 503), "identity's /readyz turns red while Postgres is down");
    cr_assert(eq(long, it_admin_status(authz, "readyz"), 503), "and authz's");
    /* every worker's connection finds Postgres gone: 503, never 500 */
    for (int i = 0; i < PER_SERVICE; i++) {
        struct it_resp r;
        it_call_token(&r, "GET", path, admin, NULL);
        it_assert_error_style(&r, "jsonapi", 503);
        it_resp_release(&r);
        it_call_token(&r, "GET", "/v1/individual-groups/", admin, NULL);
        it_assert_error_style(&r, "jsonapi", 503);
        it_resp_release(&r);
    }

    cr_assert(eq(int, it_stack(NULL, 0, "start-pg", NULL), 0), "stack.sh start-pg");
    cr_assert(ge(dbl, ready_after(READY_WITHIN_MS), 0.0), "green again within %.0f ms",
              READY_WITHIN_MS);
    for (int i = 0; i < PER_SERVICE; i++)
        expect("user read", i, "GET", path, admin, NULL, 200);
}
