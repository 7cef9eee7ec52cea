/* test_sign_up_flow.c: sign-up is a flow that spans onboarding and identity
 * and survives a lost reply (issue 10 finding 1; README "Flows that span
 * services"). The fault is made deterministic with the test-only setting
 * ONBOARDING_TEST_DROP_CREATE_REPLY (with-test-stack.sh sets it to
 * "it-lost-reply-"): for a username with that prefix, onboarding discards
 * identity's answer to the first CreateAccount after identity committed the
 * account, exactly as a NATS restart did. Then: the same sign-up again
 * resumes the flow and gets a code; a different password cannot take the
 * pending sign-up over; with no retry, the sweeper finishes the flow; a
 * pending sign-up whose account never came is undone. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "it_onboarding.h"

TestSuite(sign_up_flow, .timeout = 90);

#define LOST_PREFIX "it-lost-reply-"

/* First column of sql with username as $1 (caller frees; NULL: none). */
static char *value_for(const char *sql, const char *username)
{
    const char *params[1] = {username};
    PGconn *pg = it_pg();
    char *v = it_pg_value(pg, sql, 1, params);
    PQfinish(pg);
    return v;
}

/* Signs user up with password and expects the lost reply: a 5xx, a
 * pending request, and identity holding the account with the id onboarding
 * chose. */
static void sign_up_with_lost_reply(const struct ob_fixture *f, const char *user)
{
    struct it_resp r;
    json_t *body = ob_sign_up_body(f->code, user, NULL);
    char *step, *same;

    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    json_decref(body);
    /* the reply was lost: a 504 that tells the client to send it again */
    it_assert_error_style(&r, "jsonapi", 504);
    cr_assert(strstr(r.body, "\"code\":\"timeout\"") != NULL, "%s", r.body);
    cr_assert(strstr(r.body, "send the same sign-up again to finish it") != NULL, "%s", r.body);
    it_resp_release(&r);
    step = value_for("SELECT step FROM onboarding.sign_up_requests WHERE username = lower($1)",
                     user);
    cr_assert(step != NULL, "the intent was recorded before identity was asked");
    cr_assert(eq(str, step, "pending"));
    free(step);
    same = value_for("SELECT (u.id = s.user_id)::text FROM identity.users u JOIN "
                     "onboarding.sign_up_requests s ON s.username = u.username "
                     "WHERE u.username = lower($1)",
                     user);
    cr_assert(same != NULL, "identity committed the account");
    cr_assert(eq(str, same, "true"), "with the id onboarding chose");
    free(same);
    cr_assert(it_spool_wait(user, "sign-up-code", 300) == NULL, "no code went out yet");
}

Test(sign_up_flow, a_lost_create_reply_is_resumed_by_the_same_sign_up)
{
    struct ob_fixture f;
    struct it_resp r;
    char user[128], code[16], *n;
    json_t *body;

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    ob_fixture_make(&f);
    it_unique(user, 96, LOST_PREFIX);
    strcat(user, "@example.com");
    sign_up_with_lost_reply(&f, user);

    /* someone else (another password) cannot take the pending sign-up over */
    body = ob_sign_up_body(f.code, user, "intruder@example.com");
    json_object_set_new(body, "password", json_string("Other#pass-42-word"));
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    json_decref(body);
    it_assert_error_style(&r, "jsonapi", 409);
    it_resp_release(&r);
    cr_assert(it_spool_wait("intruder@example.com", "sign-up-code", 300) == NULL);

    /* the same sign-up again finishes it: a code, no second account */
    ob_sign_up_and_get_code(f.code, user, code);
    n = value_for("SELECT count(*)::text FROM identity.users WHERE username = lower($1)", user);
    cr_assert(eq(str, n, "1"));
    free(n);
    n = value_for("SELECT step FROM onboarding.sign_up_requests WHERE username = lower($1)", user);
    cr_assert(eq(str, n, "code_sent"));
    free(n);
    cr_assert(eq(long, ob_confirm(&r, user, code, 1), 201), "%s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, it_login(user, OB_PASSWORD, NULL, NULL, NULL), 201),
              "the account is usable with the first password");
}

Test(sign_up_flow, the_sweeper_finishes_a_lost_sign_up_without_a_retry)
{
    struct ob_fixture f;
    struct it_resp r;
    char user[128], code[16], *step;
    json_t *msg;

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    ob_fixture_make(&f);
    it_unique(user, 96, LOST_PREFIX);
    strcat(user, "@example.com");
    sign_up_with_lost_reply(&f, user);
    /* as if SIGN_UP_SWEEP_AFTER_S had passed */
    free(value_for("UPDATE onboarding.sign_up_requests SET step_at = now() - interval '1 hour' "
                   "WHERE username = lower($1) RETURNING 1",
                   user));
    msg = it_spool_wait(user, "sign-up-code", 20000);
    cr_assert(msg != NULL, "the sweeper sent a code");
    it_spool_code(msg, code, sizeof code);
    json_decref(msg);
    step = value_for("SELECT step FROM onboarding.sign_up_requests WHERE username = lower($1)",
                     user);
    for (double until = it_now_ms() + 5000; strcmp(step, "code_sent") && it_now_ms() < until;) {
        free(step);
        usleep(100 * 1000);
        step = value_for("SELECT step FROM onboarding.sign_up_requests WHERE username = lower($1)",
                         user);
    }
    cr_assert(eq(str, step, "code_sent"));
    free(step);
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 201), "%s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, it_login(user, OB_PASSWORD, NULL, NULL, NULL), 201));
}

Test(sign_up_flow, the_sweeper_undoes_a_pending_sign_up_whose_account_never_came)
{
    struct ob_fixture f;
    char user[128], code[16], *left;
    const char *params[2] = {user, NULL};
    PGconn *pg;

    IT_REQUIRE_STACK();
    ob_clear_addr_limit();
    ob_fixture_make(&f);
    it_unique(user, 96, "never-came-");
    strcat(user, "@example.com");
    params[1] = f.code;
    /* a sign-up recorded two hours ago whose CreateAccount never reached identity */
    pg = it_pg();
    free(it_pg_value(pg,
                     "INSERT INTO onboarding.sign_up_requests (user_id, username, "
                     "organization_code_id, organization_id, channel, recipient, step, step_at, "
                     "created_at) SELECT gen_random_uuid(), lower($1), c.id, c.organization_id, "
                     "'email', lower($1), 'pending', now() - interval '1 hour', "
                     "now() - interval '2 hours' FROM onboarding.organization_codes c "
                     "WHERE c.id = $2 RETURNING 1",
                     2, params));
    PQfinish(pg);
    left = value_for("SELECT count(*)::text FROM onboarding.sign_up_requests WHERE username = "
                     "lower($1)",
                     user);
    for (double until = it_now_ms() + 20000; strcmp(left, "0") && it_now_ms() < until;) {
        free(left);
        usleep(200 * 1000);
        left = value_for("SELECT count(*)::text FROM onboarding.sign_up_requests WHERE "
                         "username = lower($1)",
                         user);
    }
    cr_assert(eq(str, left, "0"), "the sweeper undid the pending sign-up");
    free(left);
    /* the username is free again */
    ob_sign_up_and_get_code(f.code, user, code);
}
