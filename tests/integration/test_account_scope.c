/* test_account_scope.c: who may change an account, and where codes go
 * (issue 9, finding 3). An organization admin changes an account only when
 * they administer every organization it belongs to (else 403, and only the
 * membership of their organization is theirs: remove-user); the platform
 * admin and the user themselves are unaffected. A new email is pending
 * until the code sent to it is entered (POST /v1/users/{id}/verify-email/),
 * the old address is told, and reset codes go only to the verified
 * address. Suite: account_scope. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(account_scope, .timeout = 120);

/* Waits up to 10 s for a message of kind to `to`; its code into code (16). */
static void wait_code(const char *to, const char *kind, char *code)
{
    json_t *msg = it_spool_wait(to, kind, 10000);

    cr_assert(msg != NULL, "no %s message to %s", kind, to);
    it_spool_code(msg, code, 16);
    json_decref(msg);
}

static char *user_value(const char *id, const char *sql)
{
    PGconn *pg = it_pg();
    const char *params[1] = {id};
    char *v = it_pg_value(pg, sql, 1, params);
    PQfinish(pg);
    return v;
}

/* r (released here) is status with the user document whose attribute
 * name is want (consumed). */
static void assert_user_answer(struct it_resp *r, long status, const char *name, json_t *want)
{
    json_t *doc;

    cr_assert(eq(long, r->status, status), "%s", r->body);
    doc = it_json(r);
    cr_assert(it_true(json_equal(
                  json_object_get(json_object_get(json_object_get(doc, "data"), "attributes"), name),
                  want)),
              "%s in %.400s", name, r->body);
    json_decref(doc);
    json_decref(want);
    it_resp_release(r);
}

/* identity.users holds "<first_name> <enabled>" for id. */
static void assert_stored(const char *id, const char *want)
{
    char *v = user_value(id, "SELECT first_name || ' ' || enabled FROM identity.users WHERE id = $1");

    cr_assert(eq(str, v, (char *)want), "stored");
    free(v);
}

static long forgot(const char *username)
{
    char body[300];

    snprintf(body, sizeof body, "{\"username\": \"%s\"}", username);
    return af_call("POST", "/v1/forgot-password/", NULL, body, NULL);
}

/* The attack of finding 3, step by step, against an account that also
 * belongs to another organization: every write on the account is 403 for
 * this organization's admin, no code ever goes to the attacker's address,
 * and removing the account from their organization still works. (On the
 * original main the change-email was 201 and forgot-password sent the reset
 * code to the attacker's address.) */
Test(account_scope, another_orgs_admin_cannot_take_over_a_shared_account)
{
    char org_a[UT_ID_LEN], org_b[UT_ID_LEN], body[512], attacker[128], victim_email[160];
    struct ut_user admin_a, victim;
    struct it_resp r;
    PGconn *pg;
    char *v;
    static const char *const writes[][2] = {
        {"change-email/", NULL}, /* body filled below */
        {"change-password/", "{\"new-password\": \"" UT_PASSWORD2 "\", \"old-password\": "
                             "\"wrong-but-irrelevant-1\"}"},
        {"confirm-phone/", "{\"phone-number\": \"+14155550142\"}"},
        {"disable/", "{}"},
        {"enable/", "{}"},
    };

    IT_REQUIRE_STACK();
    ut_org(org_a);
    ut_org(org_b);
    ut_account(org_a, "admin", &admin_a);
    ut_account(org_b, NULL, &victim);
    pg = it_pg();
    af_member(pg, victim.id, org_a, "patient"); /* the victim is in A and B */
    PQfinish(pg);
    snprintf(victim_email, sizeof victim_email, "%s@example.com", victim.username);
    it_unique(attacker, sizeof attacker, "attacker-");
    strcat(attacker, "@evil.example");

    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        if (writes[i][1])
            snprintf(body, sizeof body, "%s", writes[i][1]);
        else
            snprintf(body, sizeof body, "{\"email\": \"%s\"}", attacker);
        ut_call(&r, "POST", admin_a.token, body, "/v1/users/%s/%s", victim.id, writes[i][0]);
        ut_assert_error(&r, 403, NULL);
        cr_assert(strstr(r.body, "organizations you do not administer") != NULL, "%s", r.body);
        it_resp_release(&r);
    }
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": "
             "{\"first-name\": \"Mallory\", \"email\": \"%s\"}}}",
             victim.id, attacker);
    ut_call(&r, "PATCH", admin_a.token, body, "/v1/users/%s/", victim.id);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    v = user_value(victim.id, "SELECT email || ' ' || first_name || ' ' || enabled || ' ' || "
                              "(SELECT count(*) FROM identity.email_changes c "
                              "WHERE c.user_id = u.id) FROM identity.users u WHERE id = $1");
    {
        char want[300];
        snprintf(want, sizeof want, "%s Ann true 0", victim_email);
        cr_assert(eq(str, v, want), "the account is unchanged");
    }
    free(v);

    /* the anonymous step of the attack: the code goes to the victim only */
    cr_assert(eq(long, forgot(victim.username), 201));
    wait_code(victim_email, "reset-code", body);
    cr_assert(eq(int, it_spool_count(attacker, "reset-code"), 0));
    cr_assert(eq(int, it_spool_count(attacker, "verify-email"), 0));

    /* what is theirs: the membership of their organization */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"user-id\":\"%s\"}}}",
             victim.id);
    ut_call(&r, "POST", admin_a.token, body, "/v1/organizations/%s/remove-user/", org_a);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    it_resp_release(&r);
}

/* An admin of every organization of the account changes it as before; the
 * platform admin changes a shared account; the user changes themselves. */
Test(account_scope, admins_of_every_organization_and_the_platform_admin_may_change_it)
{
    char org_a[UT_ID_LEN], org_b[UT_ID_LEN], body[512], platform[4097];
    struct ut_user admin_a, member, shared;
    struct it_resp r;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ut_org(org_a);
    ut_org(org_b);
    ut_account(org_a, "admin", &admin_a);
    ut_account(org_a, NULL, &member);
    ut_account(org_a, NULL, &shared);
    pg = it_pg();
    af_member(pg, shared.id, org_b, "patient");
    PQfinish(pg);

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": "
             "{\"first-name\": \"Bea\"}}}",
             member.id);
    ut_call(&r, "PATCH", admin_a.token, body, "/v1/users/%s/", member.id);
    assert_user_answer(&r, 200, "first-name", json_string("Bea"));
    ut_call(&r, "POST", admin_a.token, "{}", "/v1/users/%s/disable/", member.id);
    assert_user_answer(&r, 201, "enabled", json_false());
    assert_stored(member.id, "Bea false");

    /* an admin of B too (admin role there): every organization is theirs */
    pg = it_pg();
    af_member(pg, admin_a.id, org_b, "admin");
    PQfinish(pg);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": "
             "{\"first-name\": \"Cy\"}}}",
             shared.id);
    ut_call(&r, "PATCH", admin_a.token, body, "/v1/users/%s/", shared.id);
    assert_user_answer(&r, 200, "first-name", json_string("Cy"));

    it_admin_token(platform);
    ut_call(&r, "POST", platform, "{}", "/v1/users/%s/disable/", shared.id);
    assert_user_answer(&r, 201, "enabled", json_false());
    assert_stored(shared.id, "Cy false");
}

/* A user's new email waits for its code: the account keeps its verified
 * address (reset codes keep going there) until the code sent to the new
 * one is entered; the old address is told. */
Test(account_scope, a_new_email_is_pending_until_its_code_is_entered)
{
    char org[UT_ID_LEN], body[512], old_email[160], new_email[160], code[16], wrong[16];
    struct ut_user u;
    struct it_resp r;
    json_t *a;
    char *v;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    snprintf(old_email, sizeof old_email, "%s@example.com", u.username);
    snprintf(new_email, sizeof new_email, "new-%s@example.net", u.username);

    snprintf(body, sizeof body, "{\"email\": \"%s\"}", new_email);
    ut_call(&r, "POST", u.token, body, "/v1/users/%s/change-email/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    it_resp_release(&r);
    wait_code(new_email, "verify-email", code);
    cr_assert(eq(sz, strlen(code), (size_t)6));
    {
        json_t *notice = it_spool_wait(old_email, "email-change-notice", 10000);
        cr_assert(notice != NULL, "the old address is told");
        cr_assert(strstr(json_string_value(json_object_get(notice, "body")), code) == NULL,
                  "the notice carries no code");
        json_decref(notice);
    }
    ut_call(&r, "GET", u.token, NULL, "/v1/users/%s/", u.id);
    a = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "email")), old_email));
    cr_assert(it_true(json_is_true(json_object_get(a, "email-verified"))));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "pending-email")), new_email));
    json_decref(a);
    it_resp_release(&r);

    /* a reset now still goes to the verified (old) address */
    cr_assert(eq(long, forgot(u.username), 201));
    wait_code(old_email, "reset-code", wrong);
    cr_assert(eq(int, it_spool_count(new_email, "reset-code"), 0));

    snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
    snprintf(body, sizeof body, "{\"confirmation-code\": \"%s\"}", wrong);
    ut_call(&r, "POST", u.token, body, "/v1/users/%s/verify-email/", u.id);
    ut_assert_error(&r, 400, "/confirmation-code");
    it_resp_release(&r);
    ut_call(&r, "POST", u.token, "{}", "/v1/users/%s/verify-email/", u.id);
    ut_assert_error(&r, 400, "/confirmation-code");
    it_resp_release(&r);
    snprintf(body, sizeof body, "{\"confirmation-code\": \"%s\"}", code);
    ut_call(&r, "POST", u.token, body, "/v1/users/%s/verify-email/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    cr_assert(eq(str, r.body, "null"));
    it_resp_release(&r);
    v = user_value(u.id, "SELECT email || ' ' || email_verified FROM identity.users WHERE id = $1");
    {
        char want[200];
        snprintf(want, sizeof want, "%s true", new_email);
        cr_assert(eq(str, v, want));
    }
    free(v);
    cr_assert(eq(long, ut_outbox_count("evt.identity.user.updated", u.id), 1));
    /* the code works once */
    ut_call(&r, "POST", u.token, body, "/v1/users/%s/verify-email/", u.id);
    ut_assert_error(&r, 400, "/confirmation-code");
    it_resp_release(&r);
}

/* Ten wrong verification codes an hour per user, across changes; then 429
 * with Retry-After even for the right code. Voided changes stay recorded. */
Test(account_scope, verify_email_wrong_codes_are_bounded)
{
    char org[UT_ID_LEN], body[512], new_email[160], code[16], wrong[16];
    struct ut_user u;
    struct it_resp r;
    char *v;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    for (int round = 0; round < 2; round++) {
        snprintf(new_email, sizeof new_email, "r%d-%s@example.net", round, u.username);
        snprintf(body, sizeof body, "{\"email\": \"%s\"}", new_email);
        ut_call(&r, "POST", u.token, body, "/v1/users/%s/change-email/", u.id);
        cr_assert(eq(long, r.status, 201), "%s", r.body);
        it_resp_release(&r);
        wait_code(new_email, "verify-email", code);
        snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
        snprintf(body, sizeof body, "{\"confirmation-code\": \"%s\"}", wrong);
        for (int i = 0; i < 5; i++) {
            ut_call(&r, "POST", u.token, body, "/v1/users/%s/verify-email/", u.id);
            ut_assert_error(&r, 400, "/confirmation-code");
            it_resp_release(&r);
        }
    }
    snprintf(body, sizeof body, "{\"confirmation-code\": \"%s\"}", code);
    ut_call(&r, "POST", u.token, body, "/v1/users/%s/verify-email/", u.id);
    cr_assert(eq(long, r.status, 429), "%s", r.body);
    cr_assert(it_header(&r, "retry-after") != NULL);
    it_resp_release(&r);
    v = user_value(u.id, "SELECT count(*) FILTER (WHERE void_reason = 'wrong_codes')::text "
                         "FROM identity.email_changes WHERE user_id = $1");
    cr_assert(eq(str, v, "2"));
    free(v);
}
