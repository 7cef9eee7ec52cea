/* test_idempotency.c: suite "idempotency": Idempotency-Key on POST, PUT and
 * PATCH through the edge (libcommon/cm_idempotency.h), on organization
 * creates (identity) as the platform admin:
 *   - a repeat with the same key and body gets the first answer, byte for
 *     byte, and one organization exists;
 *   - the same key with another body → 422, nothing created;
 *   - keys are per caller: another caller with the same key (and even the
 *     same body) runs its own request and never sees the first answer;
 *   - a key whose first request is still running → 409; a claim left by a
 *     request that never finished is taken over after a minute;
 *   - a malformed key → 400;
 *   - answers are stored encrypted: the body is not in the table;
 *   - (suite zz_idempotency: it stops identity, its .fini restores it) a 5xx is not kept: a
 *     sign-up answered 5xx while identity is down runs again on retry. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_idempotency.h"
#include "harness.h"
#include "it_onboarding.h"
#include "test_users_fixtures.h"

#define ORGS "/v1/organizations/"

TestSuite(idempotency, .timeout = 60);

/* An organization create body for name into body (512 bytes). */
static void org_body(char *body, const char *name)
{
    snprintf(body, 512,
             "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"%s\","
             "\"display-name\":\"Idem %s\",\"classification\":\"carium\","
             "\"provider-type\":\"coach\",\"timezone\":\"Europe/Paris\"}},\"meta\":{}}",
             name, name);
}

/* POST path with a Bearer token (none when NULL), a JSON body and
 * Idempotency-Key key (none when NULL); the response into out. */
static void post_keyed(struct it_resp *out, const char *path, const char *token, const char *key,
                       const char *body)
{
    char auth[4200], idem[400];
    const char *headers[4] = {"Content-Type: application/json", NULL, NULL, NULL};
    struct it_req rq = {.method = "POST", .path = path, .headers = headers, .body = body,
                        .body_len = strlen(body)};
    int n = 1;

    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers[n++] = auth;
    }
    if (key) {
        snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
        headers[n++] = idem;
    }
    cr_assert(eq(int, it_http(&rq, out), 0), "POST %s: %s", path, out->error);
}

/* Organizations named name in identity. */
static char *orgs_named(const char *name)
{
    PGconn *pg = it_pg();
    char *v = it_pg_value(pg, "SELECT count(*) FROM identity.organizations WHERE name = $1", 1,
                          (const char *const[]){name});
    PQfinish(pg);
    return v;
}

/* A fresh random key into key (64 bytes). */
static void new_key(char *key)
{
    it_unique(key, 64, "idem-");
}

Test(idempotency, a_repeat_gets_the_first_answer_and_creates_once)
{
    char admin[4097], name[96], body[512], key[64], *n;
    struct it_resp first, again;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    it_unique(name, sizeof name, "idem-org-");
    org_body(body, name);
    new_key(key);

    post_keyed(&first, ORGS, admin, key, body);
    cr_assert(eq(long, first.status, 201), "first: %.300s", first.body);
    post_keyed(&again, ORGS, admin, key, body);
    cr_assert(eq(long, again.status, 201), "the repeat is answered as the first: %.300s",
              again.body);
    cr_assert(eq(str, again.body, first.body), "the same body, byte for byte");
    cr_assert(eq(str, (char *)it_header_str(&again, "Content-Type"),
                 (char *)it_header_str(&first, "Content-Type")));
    it_resp_release(&again);
    /* and a third time, still one organization */
    post_keyed(&again, ORGS, admin, key, body);
    cr_assert(eq(str, again.body, first.body));
    n = orgs_named(name);
    cr_assert(eq(str, n, "1"), "one organization for three requests");
    free(n);
    it_resp_release(&again);
    it_resp_release(&first);

    /* without a key, the same body is a new request: the name is taken */
    post_keyed(&again, ORGS, admin, NULL, body);
    cr_assert(eq(long, again.status, 409), "%.300s", again.body);
    it_resp_release(&again);
}

Test(idempotency, the_same_key_with_another_body_gets_422)
{
    char admin[4097], name[96], other[96], body[512], body2[512], key[64], path[128], *n;
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    it_unique(name, sizeof name, "idem-org-");
    it_unique(other, sizeof other, "idem-other-");
    org_body(body, name);
    org_body(body2, other);
    new_key(key);

    post_keyed(&r, ORGS, admin, key, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    {
        json_t *doc = it_json(&r);
        snprintf(path, sizeof path, "%s%s/", ORGS,
                 json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
        json_decref(doc);
    }
    it_resp_release(&r);
    post_keyed(&r, ORGS, admin, key, body2);
    it_assert_error_style(&r, "jsonapi", 422);
    cr_assert_not_null(strstr(r.body, "Idempotency-Key"), "the detail names the header: %s",
                       r.body);
    it_resp_release(&r);
    n = orgs_named(other);
    cr_assert(eq(str, n, "0"), "the second body did not run");
    free(n);
    /* the same key on another operation of the same service is another
     * request too (keys are kept by the service that owns the route) */
    {
        char auth[4200], idem[128];
        const char *headers[] = {auth, "Content-Type: application/json", idem, NULL};
        struct it_req rq = {.method = "PATCH", .path = path, .headers = headers, .body = body,
                            .body_len = strlen(body)};
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
        snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
        cr_assert(eq(int, it_http(&rq, &r), 0));
        it_assert_error_style(&r, "jsonapi", 422);
        it_resp_release(&r);
    }
}

Test(idempotency, callers_never_see_each_others_answers)
{
    char admin[4097], org[UT_ID_LEN], name[96], body[512], key[64], *n;
    struct ut_user u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    ut_org(org);
    ut_account(org, "patient", &u);
    it_unique(name, sizeof name, "idem-org-");
    org_body(body, name);
    new_key(key);

    post_keyed(&r, ORGS, admin, key, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    /* the same key and body from another caller: its own request (a
     * patient may not create organizations), not the admin's 201 */
    post_keyed(&r, ORGS, u.token, key, body);
    cr_assert(eq(long, r.status, 403), "the other caller's own answer: %.300s", r.body);
    it_resp_release(&r);
    /* each keeps its own answer under the same key */
    post_keyed(&r, ORGS, admin, key, body);
    cr_assert(eq(long, r.status, 201), "the admin's repeat: %.300s", r.body);
    it_resp_release(&r);
    post_keyed(&r, ORGS, u.token, key, body);
    cr_assert(eq(long, r.status, 403), "the patient's repeat: %.300s", r.body);
    it_resp_release(&r);
    n = orgs_named(name);
    cr_assert(eq(str, n, "1"));
    free(n);
}

Test(idempotency, a_key_still_running_gets_409_and_a_dead_claim_is_taken_over)
{
    char admin[4097], name[96], body[512], key[64], scope[200], id_hex[65], fp_hex[65];
    char *admin_id, *n;
    struct cm_idem c;
    struct it_resp r;
    PGconn *pg;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    it_unique(name, sizeof name, "idem-org-");
    org_body(body, name);
    new_key(key);
    pg = it_pg();
    admin_id = it_pg_value(pg, "SELECT id::text FROM identity.users WHERE email = $1", 1,
                           (const char *const[]){it_env("TEST_ADMIN_EMAIL")});
    cr_assert_not_null(admin_id);
    /* the claim a first request with this key holds while it runs */
    snprintf(scope, sizeof scope, "user:%s", admin_id);
    cm_idem_init(&c, scope, key, "POST", ORGS, "", body, strlen(body));
    sodium_bin2hex(id_hex, sizeof id_hex, c.id, 32);
    sodium_bin2hex(fp_hex, sizeof fp_hex, c.fingerprint, 32);
    free(it_pg_value(pg,
                     "INSERT INTO identity.idempotency_keys (id, fingerprint) "
                     "VALUES (decode($1, 'hex'), decode($2, 'hex')) RETURNING 1",
                     2, (const char *const[]){id_hex, fp_hex}));

    post_keyed(&r, ORGS, admin, key, body);
    it_assert_error_style(&r, "jsonapi", 409);
    cr_assert_not_null(strstr(r.body, "still being handled"), "%s", r.body);
    it_resp_release(&r);
    n = orgs_named(name);
    cr_assert(eq(str, n, "0"));
    free(n);

    /* the first request died a while ago without an answer: taken over */
    free(it_pg_value(pg,
                     "UPDATE identity.idempotency_keys SET claimed_at = now() - "
                     "interval '2 minutes' WHERE id = decode($1, 'hex') RETURNING 1",
                     1, (const char *const[]){id_hex}));
    post_keyed(&r, ORGS, admin, key, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    n = orgs_named(name);
    cr_assert(eq(str, n, "1"));
    free(n);
    /* stored encrypted: neither the name nor the key is in the row */
    n = it_pg_value(pg,
                    "SELECT (status::text || ' ' || (position(convert_to($2, 'UTF8') IN answer) "
                    "= 0)::text) FROM identity.idempotency_keys WHERE id = decode($1, 'hex')",
                    2, (const char *const[]){id_hex, name});
    cr_assert(eq(str, n, "201 true"), "status kept, body not readable in the table");
    free(n);
    free(admin_id);
    PQfinish(pg);
}

Test(idempotency, a_malformed_key_gets_400)
{
    char admin[4097], name[96], body[512], key[300];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    it_unique(name, sizeof name, "idem-org-");
    org_body(body, name);
    memset(key, 'k', 256);
    key[256] = '\0';
    post_keyed(&r, ORGS, admin, key, body);
    it_assert_error_style(&r, "jsonapi", 400);
    cr_assert_not_null(strstr(r.body, "Idempotency-Key"), "%s", r.body);
    it_resp_release(&r);
}

Test(idempotency, an_error_answer_is_kept_too)
{
    char admin[4097], key[64];
    const char *bad = "{\"data\":{\"type\":\"organizations\",\"attributes\":{}}}";
    struct it_resp first, again;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    new_key(key);
    post_keyed(&first, ORGS, admin, key, bad);
    cr_assert(eq(long, first.status, 400), "%.300s", first.body);
    post_keyed(&again, ORGS, admin, key, bad);
    cr_assert(eq(long, again.status, 400));
    cr_assert(eq(str, again.body, first.body));
    it_resp_release(&again);
    it_resp_release(&first);
}

/* --- a 5xx is not kept: stops identity; the .fini starts it and leaves the
 * stack whole (it_stack_restore), so the suite may run in any order */

TestSuite(zz_idempotency, .timeout = 90);

static void restore_identity(void)
{
    if (!it_have_stack())
        return;
    it_stack(NULL, 0, "start", "identity", NULL);
    it_stack_restore(35000);
}

Test(zz_idempotency, a_5xx_is_not_kept_and_the_retry_runs, .fini = restore_identity)
{
    char admin[4097], org[37], code[65], username[128], key[64], *text;
    struct it_resp r, again;
    json_t *body;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    ob_create_org(admin, org, NULL);
    ob_create_code(admin, org, NULL, code);
    it_unique(username, 96, "idem-");
    strcat(username, "@example.org");
    body = ob_sign_up_body(code, username, NULL);
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    new_key(key);

    /* an anonymous sign-up while identity is down: onboarding answers 5xx */
    cr_assert(eq(int, it_stack(NULL, 0, "stop", "identity", NULL), 0), "stop identity");
    post_keyed(&r, "/v1/sign-up/", NULL, key, text);
    cr_assert(ge(long, r.status, 500), "identity down: %ld %.300s", r.status, r.body);
    it_resp_release(&r);

    cr_assert(eq(int, it_stack(NULL, 0, "start", "identity", NULL), 0), "start identity");
    cr_assert(it_wait_all_ready(20000));
    /* the same key and body: the handler runs again (the 5xx was not kept) */
    post_keyed(&r, "/v1/sign-up/", NULL, key, text);
    cr_assert(eq(long, r.status, 201), "the retry runs: %.300s", r.body);
    /* and from now on that 201 is the answer */
    post_keyed(&again, "/v1/sign-up/", NULL, key, text);
    cr_assert(eq(long, again.status, 201));
    cr_assert(eq(str, again.body, r.body));
    it_resp_release(&again);
    it_resp_release(&r);
    free(text);
}
