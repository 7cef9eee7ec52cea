/* test_reset_limits.c: the bounds on guessing password-reset codes and on
 * learning through forgot-password whether a user exists (issue 9,
 * findings 2 and 7): wrong codes and sends counted per user across codes,
 * voided codes kept, 429 with Retry-After past the hourly bounds per
 * username and per client address, the same answer as fast for a known and
 * an unknown user, and the edge passing the client's address on.
 * Suite: reset_limits. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "cm_nats.h"
#include "envelope.pb-c.h"
#include "harness.h"

TestSuite(reset_limits, .timeout = 120);

#define NEW_PASSWORD "Amber-Lantern-4096?"

/* POST /v1/forgot-password/ for username through the edge; the response
 * into r (caller releases). */
static void forgot(struct it_resp *r, const char *username)
{
    char body[2048];

    snprintf(body, sizeof body, "{\"username\": \"%s\"}", username);
    it_call_token(r, "POST", "/v1/forgot-password/", NULL, body);
}

static long forgot_status(const char *username)
{
    struct it_resp r;
    long status;

    forgot(&r, username);
    status = r.status;
    it_resp_release(&r);
    return status;
}

static void confirm(struct it_resp *r, const char *username, const char *code)
{
    char body[400];

    snprintf(body, sizeof body,
             "{\"username\": \"%s\", \"confirmation-code\": \"%s\", \"password\": \"%s\"}",
             username, code, NEW_PASSWORD);
    it_call_token(r, "POST", "/v1/confirm-forgot-password/", NULL, body);
}

/* Asks for a code for username and waits for it (the n+1-th message). */
static void new_code(const char *username, char *code)
{
    int before = it_spool_count(username, "reset-code");
    double until = it_now_ms() + 10000;
    json_t *msg;

    cr_assert(eq(long, forgot_status(username), 201));
    while (it_spool_count(username, "reset-code") <= before && it_now_ms() < until)
        usleep(20 * 1000);
    cr_assert(it_spool_count(username, "reset-code") > before, "no new code was sent");
    msg = it_spool_wait(username, "reset-code", 1000);
    it_spool_code(msg, code, 16);
    json_decref(msg);
    cr_assert(eq(sz, strlen(code), (size_t)6));
}

/* Asserts a 429 JSON:API error with a Retry-After of 1..3600 s. */
static void assert_limited(const struct it_resp *r)
{
    const char *ra = it_header(r, "retry-after");

    cr_assert(eq(long, r->status, 429), "%s", r->body);
    it_assert_error_style(r, "jsonapi", 429);
    cr_assert(ra != NULL, "Retry-After is missing");
    cr_assert(atoi(ra) >= 1 && atoi(ra) <= 3600, "Retry-After: %s", ra);
}

static void wrong_of(const char *code, char *wrong)
{
    snprintf(wrong, 16, "%06d", (atoi(code) + 1) % 1000000);
}

/* The 5th wrong code voids a code but the count goes on: fresh codes do
 * not reset it; after 10 wrong codes in the hour even the right code is
 * refused with 429, and the voided codes stay recorded. (On the original
 * main the 5th wrong code deleted the row, forgot-password sent a fresh
 * code at once, and guessing went on without end.) */
Test(reset_limits, wrong_codes_count_across_codes_and_stop_at_ten_an_hour)
{
    char user[128], id[40], code[16], wrong[16];
    const char *params[1] = {id};
    struct it_resp r;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "limits-wrong-", 1, 1, user, id);
    for (int round = 0; round < 2; round++) {
        new_code(user, code);
        wrong_of(code, wrong);
        for (int i = 0; i < 5; i++) {
            confirm(&r, user, wrong);
            cr_assert(eq(long, r.status, 400), "round %d try %d: %s", round, i, r.body);
            it_resp_release(&r);
        }
    }
    /* a third code, right this time: refused, the hour's guesses are spent */
    new_code(user, code);
    confirm(&r, user, code);
    assert_limited(&r);
    it_resp_release(&r);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, NULL), 201), "password unchanged");
    v = it_pg_value(pg,
                    "SELECT count(*)::text || ' ' || count(*) FILTER (WHERE void_reason = "
                    "'wrong_codes' AND attempts = 5)::text FROM identity.reset_codes "
                    "WHERE user_id = $1::uuid",
                    1, params);
    cr_assert(eq(str, v, "3 2"), "both voided codes stay recorded, beside the third");
    free(v);
    PQfinish(pg);
}

/* One thread of parallel_guesses_do_not_slip_past_the_bound: 5 wrong codes
 * for a username, counting the answers by status. */
struct guesser {
    const char *username;
    int n400, n429, other;
};

static void *guess(void *arg)
{
    struct guesser *g = arg;
    char body[400];

    snprintf(body, sizeof body,
             "{\"username\": \"%s\", \"confirmation-code\": \"000000\", \"password\": \"%s\"}",
             g->username, NEW_PASSWORD);
    for (int i = 0; i < 5; i++) {
        struct it_req rq = {0};
        struct it_resp r;
        static const char *const headers[] = {"Content-Type: application/json", NULL};
        rq.method = "POST";
        rq.path = "/v1/confirm-forgot-password/";
        rq.headers = headers;
        rq.body = body;
        rq.body_len = strlen(body);
        if (it_http(&rq, &r) == 0 && r.status == 400)
            g->n400++;
        else if (r.status == 429)
            g->n429++;
        else
            g->other++;
        it_resp_release(&r);
    }
    return NULL;
}

/* 20 wrong codes for one username from 4 threads at once: exactly 10 are
 * checked (400), the rest refused (429): the count is taken atomically
 * before the check. (On the original main all 20 were 400.) */
Test(reset_limits, parallel_guesses_do_not_slip_past_the_bound)
{
    char user[128], id[40];
    struct guesser g[4];
    pthread_t t[4];
    int n400 = 0, n429 = 0, other = 0;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "limits-parallel-", 1, 1, user, id);
    PQfinish(pg);
    for (int i = 0; i < 4; i++) {
        g[i] = (struct guesser){user, 0, 0, 0};
        cr_assert(eq(int, pthread_create(&t[i], NULL, guess, &g[i]), 0));
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        n400 += g[i].n400;
        n429 += g[i].n429;
        other += g[i].other;
    }
    cr_assert(eq(int, other, 0));
    cr_assert(eq(int, n400, 10), "%d checked, %d refused", n400, n429);
    cr_assert(eq(int, n429, 10));
}

/* Five forgot-password requests an hour per username, known or not alike;
 * the sixth is 429 with Retry-After (no answer tells the two apart). */
Test(reset_limits, forgot_password_is_bounded_per_username_known_or_not)
{
    char user[128], id[40], nobody[128];
    const char *params[1] = {id};
    struct it_resp r;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "limits-forgot-", 1, 1, user, id);
    it_unique(nobody, sizeof nobody, "limits-nobody-");
    for (int i = 0; i < 5; i++) {
        cr_assert(eq(long, forgot_status(user), 201), "known, request %d", i);
        cr_assert(eq(long, forgot_status(nobody), 201), "unknown, request %d", i);
    }
    forgot(&r, user);
    assert_limited(&r);
    it_resp_release(&r);
    forgot(&r, nobody);
    assert_limited(&r);
    it_resp_release(&r);
    v = it_pg_value(pg, "SELECT count(*)::text FROM identity.reset_codes WHERE user_id = $1::uuid",
                    1, params);
    cr_assert(eq(int, atoi(v), 1), "one code: the others came within a minute (%s)", v);
    free(v);
    PQfinish(pg);
}

/* Codes go only to verified addresses: an unverified email or phone gets
 * nothing (the answer is the same 201). */
Test(reset_limits, codes_go_only_to_verified_addresses)
{
    char user[128], id[40];
    const char *params[1] = {id};
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "limits-unverified-", 1, 1, user, id);
    v = it_pg_value(pg,
                    "WITH u AS (UPDATE identity.users SET email_verified = false, "
                    "phone = '+15550100888', phone_verified = false WHERE id = $1::uuid) "
                    "SELECT 'ok'",
                    1, params);
    free(v);
    cr_assert(eq(long, forgot_status(user), 201));
    {
        char body[300];
        snprintf(body, sizeof body, "{\"username\": \"%s\", \"source\": \"sms\"}", user);
        cr_assert(eq(long, af_call("POST", "/v1/forgot-password/", NULL, body, NULL), 201));
    }
    usleep(500 * 1000);
    cr_assert(eq(int, it_spool_count(user, "reset-code"), 0));
    cr_assert(eq(int, it_spool_count("+15550100888", "reset-code"), 0));
    v = it_pg_value(pg, "SELECT count(*)::text FROM identity.reset_codes WHERE user_id = $1::uuid",
                    1, params);
    cr_assert(eq(str, v, "0"));
    free(v);
    PQfinish(pg);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define TIMING_TRIES 15

/* forgot-password answers as fast for a known user as for an unknown one:
 * the code is queued, not sent, on the request's path. Medians of
 * TIMING_TRIES interleaved tries each, within 1 ms or 1.5x of each other.
 * (On the original main: ~14.5 ms against ~3.6 ms in the issue.) */
Test(reset_limits, forgot_password_takes_as_long_for_unknown_users)
{
    double known[TIMING_TRIES], unknown[TIMING_TRIES], mk, mu;
    char users[TIMING_TRIES][128], id[40], nobody[128];
    struct it_resp r;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    for (int i = 0; i < TIMING_TRIES; i++)
        af_user(pg, "limits-timing-", 1, 1, users[i], id);
    usleep(200 * 1000);
    /* interleaved, each going first half of the time */
    for (int i = 0; i < TIMING_TRIES; i++) {
        it_unique(nobody, sizeof nobody, "limits-timing-nobody-");
        strcat(nobody, "@example.com");
        for (int k = 0; k < 2; k++) {
            int is_known = (k + i) % 2 == 0;
            forgot(&r, is_known ? users[i] : nobody);
            cr_assert(eq(long, r.status, 201));
            (is_known ? known : unknown)[i] = r.ms;
            it_resp_release(&r);
            usleep(20 * 1000); /* let the queued message go before the next try */
        }
    }
    qsort(known, TIMING_TRIES, sizeof known[0], cmp_double);
    qsort(unknown, TIMING_TRIES, sizeof unknown[0], cmp_double);
    mk = known[TIMING_TRIES / 2];
    mu = unknown[TIMING_TRIES / 2];
    cr_log_info("forgot-password medians: known %.2f ms, unknown %.2f ms", mk, mu);
    /* within 1 ms, or within 1.5x when the machine is slow: the original
     * main measured 3.03 ms against 0.45 ms here (14.5 against 3.6 in the
     * issue) */
    cr_assert(fabs(mk - mu) <= 1.0 || fabs(mk - mu) <= 0.5 * fmin(mk, mu),
              "known %.2f ms vs unknown %.2f ms", mk, mu);
    PQfinish(pg);
}

/* POSTs body to path on identity.http over NATS as the edge would, from
 * client address addr; the status, and Retry-After into retry (may be
 * NULL; "" when absent). */
static long identity_http(natsConnection *nc, const char *path, const char *body,
                          const char *addr, char *retry)
{
    Envelope__HttpRequest rq = ENVELOPE__HTTP_REQUEST__INIT;
    Envelope__Principal anon = ENVELOPE__PRINCIPAL__INIT;
    Envelope__HttpResponse *resp;
    natsMsg *reply = NULL;
    uint8_t *payload;
    size_t len;
    long status;

    rq.request_id = "test-reset-limits";
    rq.method = "POST";
    rq.path = (char *)path;
    rq.query = "";
    rq.body.data = (uint8_t *)body;
    rq.body.len = strlen(body);
    rq.principal = &anon;
    rq.surface = ENVELOPE__SURFACE__SURFACE_JSONAPI;
    rq.remote_addr = (char *)addr;
    payload = cm_pack(&rq.base, &len);
    cr_assert(eq(int, natsConnection_Request(&reply, nc, "identity.http", payload, (int)len, 10000),
                 NATS_OK));
    free(payload);
    resp = envelope__http_response__unpack(NULL, (size_t)natsMsg_GetDataLength(reply),
                                           (const uint8_t *)natsMsg_GetData(reply));
    cr_assert(resp != NULL);
    status = resp->status;
    if (retry) {
        retry[0] = '\0';
        for (size_t i = 0; i < resp->n_headers; i++)
            if (!strcmp(resp->headers[i]->name, "retry-after"))
                snprintf(retry, 16, "%s", resp->headers[i]->value);
    }
    envelope__http_response__free_unpacked(resp, NULL);
    natsMsg_Destroy(reply);
    return status;
}

/* One client address gets 100 forgot-password requests an hour, whatever
 * the usernames; then 429 with Retry-After. Wrong codes from one address
 * are bounded the same way. Requests come over NATS with a documentation
 * address so that this suite's other requests (from 127.0.0.1) are not
 * affected. */
Test(reset_limits, anonymous_lookups_are_bounded_per_client_address)
{
    natsConnection *nc = NULL;
    char addr[64], name[128], body[400], retry[16];
    long status = 0;
    int n;

    IT_REQUIRE_STACK();
    cr_assert(eq(int, cm_nats_connect(it_env("TEST_NATS_URL"), "test-reset-limits", 1, NULL, &nc),
                 CM_OK));
    snprintf(addr, sizeof addr, "2001:db8::%x", (unsigned)(it_now_ms() * 1000) & 0xffff);
    for (n = 0; n < 200; n++) {
        it_unique(name, sizeof name, "limits-addr-");
        snprintf(body, sizeof body, "{\"username\": \"%s\"}", name);
        status = identity_http(nc, "/v1/forgot-password/", body, addr, retry);
        if (status != 201)
            break;
    }
    cr_assert(eq(long, status, 429), "still %ld after %d requests", status, n);
    cr_assert(eq(int, n, 100), "refused after %d requests", n);
    cr_assert(atoi(retry) >= 1 && atoi(retry) <= 3600, "Retry-After: %s", retry);
    /* another address is not affected */
    strcat(addr, "1");
    cr_assert(eq(long, identity_http(nc, "/v1/forgot-password/", body, addr, NULL), 201));
    for (n = 0; n < 200; n++) {
        it_unique(name, sizeof name, "limits-addr-");
        snprintf(body, sizeof body,
                 "{\"username\": \"%s\", \"confirmation-code\": \"123456\", \"password\": "
                 "\"" NEW_PASSWORD "\"}",
                 name);
        status = identity_http(nc, "/v1/confirm-forgot-password/", body, addr, retry);
        if (status != 400)
            break;
    }
    cr_assert(eq(long, status, 429), "still %ld after %d wrong codes", status, n);
    cr_assert(eq(int, n, 100), "refused after %d wrong codes", n);
    cm_nats_close(nc, 1000);
}

/* The edge hands identity the client's address (HttpRequest.remote_addr):
 * a forgot-password through the edge is counted against 127.0.0.1. */
Test(reset_limits, the_edge_passes_the_client_address)
{
    char name[128], *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    it_unique(name, sizeof name, "limits-edge-");
    cr_assert(eq(long, forgot_status(name), 201));
    v = it_pg_value(pg,
                    "SELECT count(*)::text FROM identity.code_throttle "
                    "WHERE scope = 'forgot-addr' AND key = '127.0.0.1' AND hits >= 1",
                    0, NULL);
    cr_assert(eq(str, v, "1"));
    free(v);
    PQfinish(pg);
}
