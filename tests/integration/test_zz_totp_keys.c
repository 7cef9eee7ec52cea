/* test_zz_totp_keys.c: TOTP secrets are sealed at rest (totp_keys.h): the
 * database holds no secret in clear, MFA login still works, a row left in
 * clear (as before migration 005) is sealed at the next start, and keys
 * rotate through TOTP_KEYS ("new first, old after it", restart). Suite
 * mfa_sealed runs on the stack as it is; zz_totp_keys restarts identity
 * with TOTP_KEYS, and its .fini removes the rows sealed with the test keys,
 * restarts identity as the stack had it and leaves the stack whole
 * (it_stack_restore), so the suite may run in any order. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_totp.h"
#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(mfa_sealed, .timeout = 60);
TestSuite(zz_totp_keys, .timeout = 120);

#define K1 "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define K2 "k2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="

struct cfg {
    char id[64];
    uint8_t key[64];
    size_t keylen;
    char hex[160]; /* the secret as a bytea literal, "\x..." */
};

/* A fresh user with an enabled TOTP configuration c. */
static void user_with_totp(struct ut_user *u, struct cfg *c)
{
    char org[UT_ID_LEN], a[CM_TOTP_CODE_MAX], b[CM_TOTP_CODE_MAX], body[256], path[128];
    struct it_resp r;
    json_t *doc, *data;
    const char *key;
    int64_t now;

    ut_org(org);
    ut_account(org, NULL, u);
    it_call_token(&r, "POST", "/v1/mfa-totp/", u->token, "{}");
    cr_assert(eq(long, r.status, 201), "setup: %s", r.body);
    doc = it_json(&r);
    data = json_object_get(doc, "data");
    snprintf(c->id, sizeof c->id, "%s", json_string_value(json_object_get(data, "id")));
    key = json_string_value(json_object_get(
        json_object_get(json_object_get(data, "attributes"), "secret"), "shared-secret-key"));
    cr_assert(key != NULL);
    cr_assert(eq(int, cm_base32_decode(key, c->key, sizeof c->key, &c->keylen), CM_OK));
    json_decref(doc);
    it_resp_release(&r);
    snprintf(c->hex, sizeof c->hex, "\\x");
    for (size_t i = 0; i < c->keylen; i++)
        snprintf(c->hex + 2 + 2 * i, 3, "%02x", c->key[i]);

    now = cm_totp_step((int64_t)time(NULL));
    cr_assert(eq(int, cm_totp_code(c->key, c->keylen, now - 1, CM_TOTP_DIGITS, a), CM_OK));
    cr_assert(eq(int, cm_totp_code(c->key, c->keylen, now, CM_TOTP_DIGITS, b), CM_OK));
    snprintf(body, sizeof body, "{\"codes\": [\"%s\", \"%s\"], \"password\": \"%s\"}", a, b,
             UT_PASSWORD);
    snprintf(path, sizeof path, "/v1/mfa-totp/%s/enable/", c->id);
    it_call_token(&r, "POST", path, u->token, body);
    cr_assert(eq(long, r.status, 201), "enable: %s", r.body);
    it_resp_release(&r);
}

static char *pg1(const char *sql, const char *a, const char *b)
{
    PGconn *pg = it_pg();
    const char *params[2] = {a, b};
    char *v = it_pg_value(pg, sql, b ? 2 : 1, params);
    PQfinish(pg);
    return v;
}

/* Logs u in with a code of now (the replay guard is moved back first, so
 * that several logins in one 30 s step each get a fresh code). */
static long login_with_code(const struct ut_user *u, const struct cfg *c)
{
    char code[CM_TOTP_CODE_MAX];

    free(pg1("WITH x AS (UPDATE identity.mfa_totp SET last_step = last_step - 10 WHERE id = $1) "
             "SELECT 'ok'",
             c->id, NULL));
    cr_assert(
        eq(int,
           cm_totp_code(c->key, c->keylen, cm_totp_step((int64_t)time(NULL)), CM_TOTP_DIGITS, code),
           CM_OK));
    return it_login(u->username, UT_PASSWORD, code, NULL, NULL);
}

/* Asserts the row of c is sealed with key_id (any key when NULL) and holds
 * its secret nowhere in clear. */
static void assert_sealed(const struct cfg *c, const char *key_id)
{
    char *v = pg1("SELECT (secret IS NULL)::text || ' ' || coalesce(key_id, '-') || ' ' || "
                  "(position($2::bytea IN secret_box) = 0)::text FROM identity.mfa_totp "
                  "WHERE id = $1",
                  c->id, c->hex);
    char want[64];

    cr_assert(v != NULL);
    if (key_id) {
        snprintf(want, sizeof want, "true %s true", key_id);
        cr_assert(eq(str, v, want));
    } else {
        cr_assert(strncmp(v, "true ", 5) == 0 && strstr(v, " true") != NULL, "row: %s", v);
    }
    free(v);
}

Test(mfa_sealed, no_secret_is_stored_in_clear_and_mfa_login_works)
{
    struct ut_user u;
    struct cfg c;

    IT_REQUIRE_STACK();
    user_with_totp(&u, &c);
    /* (other suites write rows straight into the table, in clear, as before
     * migration 005: the next start seals those; see zz_totp_keys) */
    assert_sealed(&c, NULL);
    cr_assert(eq(long, it_login(u.username, UT_PASSWORD, NULL, NULL, NULL), 401), "code needed");
    cr_assert(eq(long, login_with_code(&u, &c), 201));
}

static void restart_identity_with(const char *keys)
{
    if (keys)
        setenv("TOTP_KEYS", keys, 1);
    else
        unsetenv("TOTP_KEYS");
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "identity", NULL), 0), "restart failed");
    cr_assert(it_wait_all_ready(15000), "not ready after identity's restart");
}

static void restore_identity(void)
{
    PGconn *pg;

    if (!it_have_stack())
        return;
    pg = it_pg();
    PQclear(PQexec(pg, "DELETE FROM identity.mfa_totp WHERE key_id IN ('k1', 'k2')"));
    PQfinish(pg);
    unsetenv("TOTP_KEYS");
    it_stack(NULL, 0, "restart", "identity", NULL);
    it_stack_restore(30000);
}

Test(zz_totp_keys, clear_rows_are_sealed_at_start_and_keys_rotate, .fini = restore_identity)
{
    struct ut_user u;
    struct cfg c;
    char *v;

    IT_REQUIRE_STACK();
    user_with_totp(&u, &c);
    /* a row as migration 005 finds it: the secret in clear */
    free(pg1("WITH x AS (UPDATE identity.mfa_totp SET secret = $2::bytea, secret_box = NULL, "
             "key_id = NULL WHERE id = $1) SELECT 'ok'",
             c.id, c.hex));
    cr_assert(eq(long, login_with_code(&u, &c), 201), "a clear row still works");

    restart_identity_with(K1);
    assert_sealed(&c, "k1");
    v = pg1("SELECT count(*)::text FROM identity.mfa_totp WHERE secret IS NOT NULL OR "
            "key_id IS DISTINCT FROM $1",
            "k1", NULL);
    cr_assert(eq(str, v, "0"), "%s configurations not sealed with k1 after the start", v);
    free(v);
    cr_assert(eq(long, login_with_code(&u, &c), 201), "after sealing with k1");

    restart_identity_with(K2 "," K1); /* rotation: the new key first */
    assert_sealed(&c, "k2");
    cr_assert(eq(long, login_with_code(&u, &c), 201), "after re-sealing with k2");

    restart_identity_with(K2); /* the old key is gone: nothing needed it */
    assert_sealed(&c, "k2");
    cr_assert(eq(long, login_with_code(&u, &c), 201), "with k2 alone");
}
