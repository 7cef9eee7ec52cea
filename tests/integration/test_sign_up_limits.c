/* test_sign_up_limits.c: sign-up codes cannot be brute-forced and sign-up
 * lookups do not tell who exists (issue 9 findings 2 and 7, sign-up half;
 * README "Codes sent by email or SMS" and "Enumeration"): at most 5 codes
 * sent and 10 wrong codes per username an hour, counted across codes (a
 * voided code stays recorded), then 429 with Retry-After; confirm-sign-up
 * answers a known, a confirmed and an unknown username alike, and
 * anonymous lookups are throttled per username and per client address. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "it_onboarding.h"

TestSuite(sign_up_limits, .timeout = 120);

static void fresh_email(char *out, const char *prefix)
{
    char u[96];
    it_unique(u, sizeof u, prefix);
    snprintf(out, 128, "%s@example.com", u);
}

static long sign_up_status(const char *code, const char *user, struct it_resp *r)
{
    json_t *body = ob_sign_up_body(code, user, NULL);
    ob_post_json(r, "/v1/sign-up/", NULL, body);
    json_decref(body);
    return r->status;
}

/* Asserts r is a /v1 429 with a Retry-After of 1..limit seconds. */
static void assert_429(const struct it_resp *r, int limit)
{
    const char *ra = it_header(r, "retry-after");
    it_assert_error_style(r, "jsonapi", 429);
    cr_assert(ra != NULL, "Retry-After: %s", r->body);
    cr_assert(atoi(ra) >= 1 && atoi(ra) <= limit, "Retry-After %s", ra);
}

static char *limit_count(const char *kind, const char *user)
{
    const char *params[2] = {kind, user};
    PGconn *pg = it_pg();
    char *v = it_pg_value(pg,
                          "SELECT count(*)::text FROM onboarding.sign_up_limits WHERE kind = $1 "
                          "AND key = lower($2)",
                          2, params);
    PQfinish(pg);
    return v;
}

Test(sign_up_limits, at_most_five_codes_are_sent_per_user_an_hour)
{
    struct ob_fixture f;
    struct it_resp r;
    char user[128], *n;

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    ob_fixture_make(&f);
    fresh_email(user, "sends-");
    for (int i = 0; i < 5; i++) { /* the first sign-up and four repeats */
        cr_assert(eq(long, sign_up_status(f.code, user, &r), 201), "send %d: %s", i + 1, r.body);
        it_resp_release(&r);
    }
    sign_up_status(f.code, user, &r);
    assert_429(&r, 3600);
    it_resp_release(&r);
    n = limit_count("sent", user);
    cr_assert(eq(str, n, "5"));
    free(n);
    ob_clear_addr_limit();
}

Test(sign_up_limits, wrong_codes_count_across_codes_then_even_the_right_one_gets_429)
{
    struct ob_fixture f;
    struct it_resp r;
    char user[128], code[16], wrong[16], *n;

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    ob_fixture_make(&f);
    fresh_email(user, "guess-");
    for (int round = 0; round < 2; round++) {
        ob_sign_up_and_get_code(f.code, user, code);
        snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
        for (int i = 0; i < 5; i++) { /* the fifth voids this code */
            cr_assert(eq(long, ob_confirm(&r, user, wrong, 1), 400), "%s", r.body);
            it_resp_release(&r);
        }
    }
    /* a third code, right, with login: refused, no tokens, because the
     * voided codes stay counted: ten wrong codes this hour */
    ob_sign_up_and_get_code(f.code, user, code);
    ob_confirm(&r, user, code, 1);
    assert_429(&r, 3600);
    cr_assert(strstr(r.body, "access-token") == NULL, "%s", r.body);
    it_resp_release(&r);
    n = limit_count("wrong", user);
    cr_assert(eq(str, n, "10"), "ten wrong codes recorded; a refused attempt is not counted");
    free(n);
    ob_clear_addr_limit();
}

Test(sign_up_limits, confirm_answers_alike_for_known_confirmed_and_unknown_usernames)
{
    struct ob_fixture f;
    struct it_resp r;
    char pending[128], confirmed[128], unknown[128], code[16], wrong[16];
    char *bodies[3];
    const char *users[3] = {pending, confirmed, unknown};
    double ms[3][8];

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    ob_fixture_make(&f);
    fresh_email(pending, "alike-p-");
    fresh_email(confirmed, "alike-c-");
    fresh_email(unknown, "alike-u-");
    ob_sign_up_and_get_code(f.code, pending, code);
    ob_sign_up_and_get_code(f.code, confirmed, wrong);
    cr_assert(eq(long, ob_confirm(&r, confirmed, wrong, 0), 201), "%s", r.body);
    it_resp_release(&r);
    snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
    for (int k = 0; k < 8; k++) /* 8 wrong codes each: under the 10 an hour */
        for (int u = 0; u < 3; u++) {
            ob_confirm(&r, users[u], wrong, 1);
            ms[u][k] = r.ms;
            cr_assert(eq(long, r.status, 400), "%s: %s", users[u], r.body);
            if (k == 0)
                bodies[u] = strdup(r.body);
            else
                cr_assert(eq(str, r.body, bodies[u]));
            it_resp_release(&r);
        }
    cr_assert(eq(str, bodies[0], bodies[1]), "pending and confirmed answer alike");
    cr_assert(eq(str, bodies[0], bodies[2]), "pending and unknown answer alike");
    /* and in the same time: medians within 5 ms */
    for (int u = 0; u < 3; u++)
        for (int i = 0; i < 8; i++)
            for (int j = i + 1; j < 8; j++)
                if (ms[u][j] < ms[u][i]) {
                    double t = ms[u][i];
                    ms[u][i] = ms[u][j];
                    ms[u][j] = t;
                }
    cr_log_info("confirm-sign-up medians: pending %.2f ms, confirmed %.2f ms, unknown %.2f ms",
                (ms[0][3] + ms[0][4]) / 2, (ms[1][3] + ms[1][4]) / 2, (ms[2][3] + ms[2][4]) / 2);
    for (int u = 1; u < 3; u++) {
        double d = (ms[0][3] + ms[0][4]) / 2 - (ms[u][3] + ms[u][4]) / 2;
        cr_assert(d < 5.0 && d > -5.0, "median of %s %.2f ms vs %.2f ms", users[u],
                  (ms[u][3] + ms[u][4]) / 2, (ms[0][3] + ms[0][4]) / 2);
    }
    for (int u = 0; u < 3; u++)
        free(bodies[u]);
    ob_clear_addr_limit();
}

Test(sign_up_limits, confirm_is_throttled_per_username_known_or_not)
{
    struct it_resp r;
    char unknown[128];

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    fresh_email(unknown, "nobody-");
    for (int i = 0; i < 10; i++) {
        cr_assert(eq(long, ob_confirm(&r, unknown, "123456", 0), 400), "%s", r.body);
        it_resp_release(&r);
    }
    ob_confirm(&r, unknown, "123456", 0);
    assert_429(&r, 3600);
    it_resp_release(&r);
    ob_clear_addr_limit();
}

Test(sign_up_limits, lookups_are_throttled_per_client_address)
{
    struct it_resp r;
    char user[128];

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    for (int i = 0; i < 60; i++) {
        fresh_email(user, "scan-");
        cr_assert(eq(long, ob_confirm(&r, user, "123456", 0), 400), "try %d: %s", i + 1, r.body);
        it_resp_release(&r);
    }
    fresh_email(user, "scan-");
    ob_confirm(&r, user, "123456", 0);
    assert_429(&r, 60);
    it_resp_release(&r);
    ob_clear_addr_limit();
}

Test(sign_up_limits, taken_usernames_are_throttled_per_username)
{
    struct ob_fixture f;
    struct it_resp r;
    char user[128], code[16];

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    ob_fixture_make(&f);
    fresh_email(user, "taken-");
    ob_sign_up_and_get_code(f.code, user, code);
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 201), "%s", r.body);
    it_resp_release(&r);
    for (int i = 1; i < 20; i++) { /* the first sign-up counted too */
        cr_assert(eq(long, sign_up_status(f.code, user, &r), 409), "try %d: %s", i, r.body);
        it_resp_release(&r);
    }
    sign_up_status(f.code, user, &r);
    assert_429(&r, 3600);
    it_resp_release(&r);
    ob_clear_addr_limit();
}
