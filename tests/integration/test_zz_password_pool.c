/* test_zz_password_pool.c: password work runs on identity's own bounded
 * pool (cm_service.h, PWHASH_THREADS / PWHASH_QUEUE), apart from the request
 * workers: while logins fill the pool, a user read still answers at once,
 * and logins past the pool answer 503 with Retry-After at once instead of
 * queueing. Suite zz_password_pool: it restarts identity with a pool of one
 * thread and one waiting place; .fini restarts identity with the stack's
 * settings and leaves the stack whole (it_stack_restore), so the suite may
 * run in any order (zz_ only groups the disturbing suites). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"

#define LOGIN_THREADS 8

TestSuite(zz_password_pool, .timeout = 120);

static void restart_identity(void)
{
    int rc = it_stack(NULL, 0, "restart", "identity", NULL);
    cr_assert(eq(int, rc, 0), "stack.sh restart identity failed");
    cr_assert(it_wait_all_ready(15000), "not every daemon is ready after identity's restart");
}

static void small_pool(void)
{
    if (!it_have_stack())
        return;
    setenv("PWHASH_THREADS", "1", 1);
    setenv("PWHASH_QUEUE", "1", 1);
    restart_identity();
}

static void restore_identity(void)
{
    if (!it_have_stack())
        return;
    unsetenv("PWHASH_THREADS");
    unsetenv("PWHASH_QUEUE");
    it_stack(NULL, 0, "restart", "identity", NULL);
    it_stack_restore(30000);
}

/* What the login threads saw. */
struct logins {
    pthread_mutex_t mu;
    volatile int stop;
    int answered, busy, busy_slow, busy_bad;
    double busy_max_ms;
};

/* Posts logins of unknown usernames (each costs an argon2id verification)
 * back to back until stop; counts the 503s and checks their form. */
static void *login_loop(void *arg)
{
    struct logins *l = arg;
    char body[256], user[64];

    while (!l->stop) {
        struct it_req rq = {0};
        struct it_resp r;
        const char *hdrs[] = {"Content-Type: application/json", NULL};
        it_unique(user, sizeof user, "pool-nobody-");
        snprintf(body, sizeof body, "{\"username\":\"%s@example.com\",\"password\":\"x-1\"}", user);
        rq.method = "POST";
        rq.path = "/v1/login/";
        rq.headers = hdrs;
        rq.body = body;
        rq.body_len = strlen(body);
        if (it_http(&rq, &r) != 0) {
            it_resp_release(&r);
            continue;
        }
        pthread_mutex_lock(&l->mu);
        l->answered++;
        if (r.status == 503) {
            const char *ra = it_header(&r, "retry-after");
            json_t *doc = json_loads(r.body, 0, NULL);
            json_t *e0 = json_array_get(json_object_get(doc, "errors"), 0);
            l->busy++;
            if (r.ms > l->busy_max_ms)
                l->busy_max_ms = r.ms;
            if (r.ms > 1000)
                l->busy_slow++;
            if (!ra || atoi(ra) < 1 || !e0 || !json_is_string(json_object_get(e0, "detail")))
                l->busy_bad++;
            json_decref(doc);
        }
        pthread_mutex_unlock(&l->mu);
        it_resp_release(&r);
    }
    return NULL;
}

Test(zz_password_pool, reads_stay_fast_and_overflow_is_503_with_retry_after, .init = small_pool,
     .fini = restore_identity)
{
    struct logins l = {.mu = PTHREAD_MUTEX_INITIALIZER};
    pthread_t th[LOGIN_THREADS];
    char user[128], id[40], token[AF_TOKEN_MAX], path[128];
    double until, worst = 0;
    json_t *doc = NULL;
    int reads = 0;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "pool-reader-", 1, 1, user, id);
    PQfinish(pg);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, &doc), 201));
    snprintf(token, sizeof token, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/users/%s/", id);

    for (int i = 0; i < LOGIN_THREADS; i++)
        cr_assert(eq(int, pthread_create(&th[i], NULL, login_loop, &l), 0));
    usleep(300 * 1000); /* the pool is full from here on */
    until = it_now_ms() + 3000;
    while (it_now_ms() < until) {
        struct it_resp r;
        it_call_token(&r, "GET", path, token, NULL);
        cr_expect(eq(long, r.status, 200), "user read while logins run: %ld", r.status);
        if (r.ms > worst)
            worst = r.ms;
        reads++;
        it_resp_release(&r);
        usleep(20 * 1000);
    }
    l.stop = 1;
    for (int i = 0; i < LOGIN_THREADS; i++)
        pthread_join(th[i], NULL);

    cr_log_info("%d reads, slowest %.1f ms; %d logins answered, %d busy (slowest %.1f ms)", reads,
                worst, l.answered, l.busy, l.busy_max_ms);
    cr_assert(reads > 10);
    cr_assert(worst < 500, "a user read took %.1f ms while logins filled the pool", worst);
    cr_assert(l.busy > 0, "no login was refused with a pool of 1 and %d clients", LOGIN_THREADS);
    cr_assert(eq(int, l.busy_bad, 0), "a 503 without Retry-After or JSON:API error");
    cr_assert(eq(int, l.busy_slow, 0), "a 503 took over 1 s (slowest %.1f ms)", l.busy_max_ms);
}

/* The pool keeps serving after being full: the same user logs in again. */
Test(zz_password_pool, a_login_succeeds_once_the_pool_has_room, .init = small_pool,
     .fini = restore_identity)
{
    char user[128], id[40];
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "pool-again-", 1, 1, user, id);
    PQfinish(pg);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, NULL), 201));
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, NULL), 201));
}
