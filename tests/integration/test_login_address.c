/* test_login_address.c: failed logins are counted by username and client
 * address (login_throttle.h), so a stranger cannot lock a user out: an
 * address that fails 10+ times on a user is throttled then locked for that
 * user only, the user still logs in from their own address, X-Forwarded-For
 * from an untrusted peer changes nothing, and a username failing from
 * everywhere only slows addresses it never logged in from. Each client
 * binds its own loopback source address (Linux routes 127/8 to lo). Suite
 * login_address; test_zz_login_address.c has the per-address lock, which
 * needs identity restarted with a low LOGIN_ADDR_LOCK_AFTER. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "login_address.h"

TestSuite(login_address, .timeout = 90);

long la_login(const char *from, const char *username, const char *password, const char *xff,
              struct it_resp *out)
{
    char body[512], fwd[128];
    const char *hdrs[3] = {"Content-Type: application/json", NULL, NULL};
    struct it_req rq = {0};
    struct it_resp r;
    long status;

    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", username, password);
    if (xff) {
        snprintf(fwd, sizeof fwd, "X-Forwarded-For: %s", xff);
        hdrs[1] = fwd;
    }
    rq.method = "POST";
    rq.path = "/v1/login/";
    rq.headers = hdrs;
    rq.body = body;
    rq.body_len = strlen(body);
    rq.local_addr = from;
    cr_assert(eq(int, it_http(&rq, &r), 0), "login from %s: %s", from, r.error);
    status = r.status;
    if (out)
        *out = r;
    else
        it_resp_release(&r);
    return status;
}

void la_age(PGconn *pg, const char *username)
{
    const char *params[1] = {username};
    free(it_pg_value(pg,
                     "WITH u AS (UPDATE identity.login_attempts SET last_failure_at = now() - "
                     "interval '70 seconds' WHERE username = $1), "
                     "p AS (UPDATE identity.login_attempts_pair SET last_failure_at = now() - "
                     "interval '70 seconds' WHERE username = $1) SELECT 'ok'",
                     1, params));
}

/* Asserts r is a JSON:API error with status and a Retry-After of >= 1 s. */
static void assert_refused(struct it_resp *r, long status, const char *detail_part)
{
    json_t *doc;
    const char *detail;

    cr_assert(eq(long, r->status, status), "%s", r->body);
    cr_assert(r->status == 423 || atoi(it_header_str(r, "retry-after")) >= 1,
              "no Retry-After on a %ld", r->status);
    doc = it_json(r);
    detail = af_error(doc, status, NULL);
    cr_assert(strstr(detail, detail_part) != NULL, "detail: %s", detail);
    json_decref(doc);
}

Test(login_address, a_stranger_failing_ten_times_locks_only_their_own_address)
{
    char user[128], id[40];
    struct it_resp r;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "addr-victim-", 1, 1, user, id);
    for (int i = 0; i < 10; i++) {
        la_age(pg, user);
        cr_assert(eq(long, la_login("127.0.0.2", user, "Not-The-Password-1", NULL, NULL), 401),
                  "try %d", i);
    }
    la_age(pg, user);
    /* the attacker's address is locked for this user, even with the password */
    la_login("127.0.0.2", user, AF_PASSWORD, NULL, &r);
    assert_refused(&r, 423, "account locked");
    it_resp_release(&r);
    /* claiming to be someone else changes nothing (no trusted proxy) */
    la_login("127.0.0.2", user, AF_PASSWORD, "127.0.0.1", &r);
    assert_refused(&r, 423, "account locked");
    it_resp_release(&r);
    /* the real user, from their own address, logs in at once */
    cr_assert(eq(long, la_login("127.0.0.1", user, AF_PASSWORD, NULL, NULL), 201));
    /* and that login does not unlock the stranger */
    la_login("127.0.0.2", user, AF_PASSWORD, NULL, &r);
    assert_refused(&r, 423, "account locked");
    it_resp_release(&r);
    PQfinish(pg);
}

Test(login_address, the_stranger_is_throttled_after_five_failures)
{
    char user[128], id[40];
    struct it_resp r;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "addr-slow-", 1, 1, user, id);
    for (int i = 0; i < 5; i++)
        cr_assert(eq(long, la_login("127.0.0.5", user, "Not-The-Password-1", NULL, NULL), 401));
    la_login("127.0.0.5", user, AF_PASSWORD, NULL, &r);
    assert_refused(&r, 429, "too many failed logins");
    it_resp_release(&r);
    cr_assert(eq(long, la_login("127.0.0.6", user, AF_PASSWORD, NULL, NULL), 201),
              "another address is not throttled");
    PQfinish(pg);
}

/* Failures from many addresses slow the username for addresses it never
 * logged in from; the address it logs in from is never slowed. */
Test(login_address, failures_from_everywhere_only_slow_unknown_addresses)
{
    char user[128], id[40], from[32];
    struct it_resp r;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "addr-spray-", 1, 1, user, id);
    cr_assert(eq(long, la_login("127.0.0.1", user, AF_PASSWORD, NULL, NULL), 201), "known");
    for (int i = 0; i < 21; i++) { /* LOGIN_USER_THROTTLE_AFTER is 20 by default */
        snprintf(from, sizeof from, "127.0.1.%d", 10 + i);
        la_age(pg, user);
        cr_assert(eq(long, la_login(from, user, "Not-The-Password-1", NULL, NULL), 401), "%s",
                  from);
    }
    la_login("127.0.2.1", user, AF_PASSWORD, NULL, &r);
    assert_refused(&r, 429, "too many failed logins");
    it_resp_release(&r);
    cr_assert(eq(long, la_login("127.0.0.1", user, AF_PASSWORD, NULL, NULL), 201),
              "the user's own address is not slowed");
    PQfinish(pg);
}
