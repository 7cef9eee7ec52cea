/* test_mfa.c: TOTP multi-factor authentication through the edge (mfa-totp
 * #55-#59, and login's totp-code): set up (secret, URI, QR code PNG),
 * enable with the password and two consecutive codes, login requiring a
 * fresh code and refusing replays, disable, delete, and what other users
 * may not see. Codes are computed here with cm_totp from the secret the
 * setup returned. Fresh users come from the users suite's fixtures
 * (identity.rpc.CreateAccount and ConfirmAccount over NATS). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm_totp.h"
#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(mfa, .timeout = 60);

#define PATH "/v1/mfa-totp/"
#define PASSWORD UT_PASSWORD

struct totp {
    char id[64];
    uint8_t key[64];
    size_t keylen;
};

/* --- fixtures --- */

/* A fresh confirmed patient, logged in, alone in a fresh organization. */
static void new_user(struct ut_user *u)
{
    char org[UT_ID_LEN];

    ut_org(org);
    ut_account(org, NULL, u);
}

/* The step now, after waiting (at most 2 s) until the current 30 s step
 * has at least 3 s left, so that a sequence of a few requests sees the
 * server in this step or the next. */
static int64_t settled_step(void)
{
    time_t t = time(NULL);

    if (CM_TOTP_STEP_S - t % CM_TOTP_STEP_S < 3) {
        usleep((useconds_t)(CM_TOTP_STEP_S - t % CM_TOTP_STEP_S) * 1000000u + 100000u);
        t = time(NULL);
    }
    return cm_totp_step((int64_t)t);
}

static void code_at(const struct totp *c, int64_t step, char out[CM_TOTP_CODE_MAX])
{
    cr_assert(eq(int, cm_totp_code(c->key, c->keylen, step, CM_TOTP_DIGITS, out), CM_OK));
}

/* String member name of the first error of doc (a JSON:API error body),
 * or of its "source" when in_source; "" when absent. Borrowed from doc. */
static const char *error_member(json_t *doc, int in_source, const char *name)
{
    json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    const char *s;

    if (in_source)
        e = json_object_get(e, "source");
    s = json_string_value(json_object_get(e, name));
    return s ? s : "";
}

/* POST PATH {} as u: a new configuration, its secret decoded into c. The
 * whole document in *out_doc when not NULL (caller json_decref). */
static void setup(const struct ut_user *u, struct totp *c, json_t **out_doc)
{
    struct it_resp r;
    json_t *doc, *data;
    const char *key;

    it_call_token(&r, "POST", PATH, u->token, "{}");
    cr_assert(eq(long, r.status, 201), "setup: %ld %s", r.status, r.body);
    doc = it_json(&r);
    data = json_object_get(doc, "data");
    snprintf(c->id, sizeof c->id, "%s", json_string_value(json_object_get(data, "id")));
    key = json_string_value(json_object_get(
        json_object_get(json_object_get(data, "attributes"), "secret"), "shared-secret-key"));
    cr_assert(key != NULL, "no shared-secret-key: %s", r.body);
    cr_assert(eq(int, cm_base32_decode(key, c->key, sizeof c->key, &c->keylen), CM_OK));
    if (out_doc)
        *out_doc = doc;
    else
        json_decref(doc);
    it_resp_release(&r);
}

/* The detail and source pointer of the last error answer of action() or
 * delete_config() ("" after a success), so that a test says which refusal
 * the caller must see, not only its status. */
static char last_detail[256], last_pointer[64];

/* Checks an error answer's style and remembers its detail and pointer. */
static void remember_error(const struct it_resp *r)
{
    json_t *doc;

    last_detail[0] = last_pointer[0] = '\0';
    if (r->status < 400)
        return;
    it_assert_error_style(r, "jsonapi", r->status);
    doc = it_json(r);
    snprintf(last_detail, sizeof last_detail, "%s", error_member(doc, 0, "detail"));
    snprintf(last_pointer, sizeof last_pointer, "%s", error_member(doc, 1, "pointer"));
    json_decref(doc);
}

/* POST {id}/<action>/ as u with body; returns the status, and the parsed
 * body in *out_doc when not NULL (caller json_decref). */
static long action(const struct ut_user *u, const char *id, const char *what, const char *body,
                   json_t **out_doc)
{
    char path[160];
    struct it_resp r;
    long status;

    snprintf(path, sizeof path, PATH "%s/%s/", id, what);
    it_call_token(&r, "POST", path, u->token, body);
    status = r.status;
    remember_error(&r);
    if (out_doc)
        *out_doc = it_json(&r);
    it_resp_release(&r);
    return status;
}

/* Enables c with the codes of steps s0 and s1 and password. */
static long enable(const struct ut_user *u, const struct totp *c, int64_t s0, int64_t s1,
                   const char *password, json_t **out_doc)
{
    char a[CM_TOTP_CODE_MAX], b[CM_TOTP_CODE_MAX], body[256];

    code_at(c, s0, a);
    code_at(c, s1, b);
    snprintf(body, sizeof body, "{\"codes\": [\"%s\", \"%s\"], \"password\": \"%s\"}", a, b,
             password);
    return action(u, c->id, "enable", body, out_doc);
}

static long disable(const struct ut_user *u, const struct totp *c, const char *password)
{
    char body[128];

    snprintf(body, sizeof body, "{\"password\": \"%s\"}", password);
    return action(u, c->id, "disable", body, NULL);
}

/* POST /v1/login/ for u with code (none when NULL); status, and the first
 * error's detail copied into detail (cap bytes) when not NULL. */
static long login(const struct ut_user *u, const char *code, char *detail, size_t cap)
{
    json_t *body = json_pack("{s:s, s:s}", "username", u->username, "password", PASSWORD), *doc;
    struct it_resp r;
    char *text;
    long status;

    if (code)
        json_object_set_new(body, "totp-code", json_string(code));
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    it_call_token(&r, "POST", "/v1/login/", NULL, text);
    free(text);
    status = r.status;
    if (detail) {
        doc = it_json(&r);
        snprintf(detail, cap, "%s", error_member(doc, 0, "detail"));
        json_decref(doc);
    }
    it_resp_release(&r);
    return status;
}

static long delete_config(const struct ut_user *u, const char *id)
{
    char path[160];
    struct it_resp r;
    long status;

    snprintf(path, sizeof path, PATH "%s/", id);
    it_call_token(&r, "DELETE", path, u->token, NULL);
    status = r.status;
    remember_error(&r);
    it_resp_release(&r);
    return status;
}

/* GET PATH (with query, may be "") as u; status and the document. */
static long list(const struct ut_user *u, const char *query, json_t **out_doc)
{
    char path[200];
    struct it_resp r;
    long status;

    snprintf(path, sizeof path, PATH "%s", query);
    it_call_token(&r, "GET", path, u->token, NULL);
    status = r.status;
    *out_doc = it_json(&r);
    it_resp_release(&r);
    return status;
}

/* --- tests --- */

Test(mfa, setup_returns_the_secret_once_with_a_qr_code_png)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    struct ut_user u;
    struct totp c;
    json_t *doc, *attrs, *secret, *qr, *listed;
    const char *uri, *b64;
    char want[256], key[64];
    uint8_t png[65536];
    size_t len = 0;

    IT_REQUIRE_STACK();
    new_user(&u);
    setup(&u, &c, &doc);
    cr_assert(eq(sz, c.keylen, CM_TOTP_SECRET_BYTES));
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(json_object_get(doc, "data"), "type")),
                 "mfa-totp"));
    attrs = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(it_true(json_is_false(json_object_get(attrs, "enabled"))));
    cr_assert(it_true(json_is_null(json_object_get(attrs, "enabled-at"))));
    cr_assert(it_true(json_is_null(json_object_get(attrs, "last-used"))));
    cr_assert(it_true(json_is_string(json_object_get(attrs, "created-at"))));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(attrs, "user-id")), u.id));

    secret = json_object_get(attrs, "secret");
    uri = json_string_value(json_object_get(secret, "provisioning-uri"));
    cr_assert(uri != NULL);
    cr_assert(eq(int, cm_base32_encode(c.key, c.keylen, 0, key, sizeof key), CM_OK));
    snprintf(want, sizeof want,
             "otpauth://totp/Health:%s?secret=%s&issuer=Health&algorithm=SHA1&digits=6&period=30",
             u.username, key);
    cr_assert(eq(str, (char *)uri, want));

    qr = json_object_get(secret, "provisioning-qrcode");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(qr, "mimetype")), "image/png"));
    b64 = json_string_value(json_object_get(qr, "contents-base64"));
    cr_assert(b64 != NULL);
    cr_assert(eq(int,
                 sodium_base642bin(png, sizeof png, b64, strlen(b64), NULL, &len, NULL,
                                   sodium_base64_VARIANT_ORIGINAL),
                 0));
    cr_assert(len > 24);
    cr_assert(memcmp(png, sig, sizeof sig) == 0, "not a PNG");
    cr_assert(memcmp(png + 12, "IHDR", 4) == 0);
    cr_assert(eq(u32, (uint32_t)png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19],
                 (uint32_t)json_integer_value(json_object_get(qr, "width"))));
    cr_assert(eq(u32, (uint32_t)png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23],
                 (uint32_t)json_integer_value(json_object_get(qr, "height"))));
    cr_assert(json_integer_value(json_object_get(qr, "width")) >= 100);
    json_decref(doc);

    /* Later reads never show the secret. */
    cr_assert(eq(long, list(&u, "", &listed), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(listed, "data")), 1));
    attrs = json_object_get(json_array_get(json_object_get(listed, "data"), 0), "attributes");
    cr_assert(json_object_get(attrs, "secret") == NULL);
    cr_assert(eq(str,
                 (char *)json_string_value(
                     json_object_get(json_array_get(json_object_get(listed, "data"), 0), "id")),
                 c.id));
    json_decref(listed);
}

Test(mfa, enabled_totp_is_required_at_login_and_codes_are_single_use)
{
    char detail[256], code[CM_TOTP_CODE_MAX];
    struct ut_user u;
    struct totp c;
    json_t *doc, *attrs;
    int64_t now;

    IT_REQUIRE_STACK();
    new_user(&u);
    setup(&u, &c, NULL);
    now = settled_step();
    cr_assert(eq(long, enable(&u, &c, now - 1, now, PASSWORD, &doc), 201));
    attrs = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(it_true(json_is_true(json_object_get(attrs, "enabled"))));
    cr_assert(it_true(json_is_string(json_object_get(attrs, "enabled-at"))));
    cr_assert(json_object_get(attrs, "secret") == NULL);
    json_decref(doc);

    cr_assert(eq(long, login(&u, NULL, detail, sizeof detail), 401));
    cr_assert(strstr(detail, "required") != NULL, "detail: %s", detail);
    cr_assert(eq(long, login(&u, "", NULL, 0), 401));
    /* The enabling codes are used up; the next step's code works once. */
    code_at(&c, now, code);
    cr_assert(eq(long, login(&u, code, NULL, 0), 401), "enabling code reused");
    code_at(&c, now + 1, code);
    code[5] = (char)('0' + (code[5] - '0' + 1) % 10); /* one digit off */
    cr_assert(eq(long, login(&u, code, NULL, 0), 401), "wrong code accepted");
    cr_assert(eq(long, login(&u, "12345", NULL, 0), 401), "short code accepted");
    code_at(&c, now + 1, code);
    cr_assert(eq(long, login(&u, code, NULL, 0), 201));
    cr_assert(eq(long, login(&u, code, NULL, 0), 401), "replayed code accepted");

    cr_assert(eq(long, list(&u, "", &doc), 200));
    attrs = json_object_get(json_array_get(json_object_get(doc, "data"), 0), "attributes");
    cr_assert(it_true(json_is_string(json_object_get(attrs, "last-used"))), "last-used not set");
    json_decref(doc);
}

Test(mfa, disable_needs_the_password_and_lifts_the_requirement)
{
    struct ut_user u;
    struct totp c;
    int64_t now;

    IT_REQUIRE_STACK();
    new_user(&u);
    setup(&u, &c, NULL);
    now = settled_step();
    char detail[128];

    cr_assert(eq(long, enable(&u, &c, now - 1, now, PASSWORD, NULL), 201));
    cr_assert(eq(long, delete_config(&u, c.id), 409), "deleted while enabled");
    cr_assert(eq(str, last_detail, "the configuration is enabled: disable it before deleting it"));
    cr_assert(eq(long, disable(&u, &c, "Wrong-Password-123"), 403));
    cr_assert(eq(str, last_detail, "password is incorrect"));
    cr_assert(eq(str, last_pointer, "/password"));
    cr_assert(eq(long, login(&u, NULL, detail, sizeof detail), 401), "disabled by a wrong password");
    cr_assert(strstr(detail, "required") != NULL, "still asks for a code: %s", detail);
    cr_assert(eq(long, disable(&u, &c, PASSWORD), 201));
    cr_assert(eq(long, disable(&u, &c, PASSWORD), 409), "disabled twice");
    cr_assert(eq(str, last_detail, "the configuration is not enabled"));
    cr_assert(eq(long, login(&u, NULL, NULL, 0), 201));
    cr_assert(eq(long, delete_config(&u, c.id), 204));
    cr_assert(eq(long, delete_config(&u, c.id), 404));
    cr_assert(eq(str, last_detail, "no such TOTP configuration"));
}

/* Password checks of MFA enable share the login throttle: after
 * LOGIN_THROTTLE_AFTER (5) wrong passwords the next is refused with 429
 * before any check, and so is a login with the right password. */
Test(mfa, wrong_passwords_are_throttled_like_logins)
{
    struct ut_user u;
    struct totp c;
    json_t *doc = NULL;
    int64_t now;

    IT_REQUIRE_STACK();
    new_user(&u);
    setup(&u, &c, NULL);
    now = settled_step();
    for (int i = 0; i < 5; i++)
        cr_assert(eq(long, enable(&u, &c, now - 1, now, "Wrong-Password-123", NULL), 403),
                  "try %d", i);
    cr_assert(eq(long, enable(&u, &c, now - 1, now, "Wrong-Password-123", &doc), 429));
    cr_assert_not_null(strstr(error_member(doc, 0, "detail"), "retry in"));
    json_decref(doc);
    cr_assert(eq(long, login(&u, NULL, NULL, 0), 429), "the same record as login's");
}

Test(mfa, a_second_configuration_cannot_be_enabled_beside_the_first)
{
    struct ut_user u;
    struct totp a, b;
    int64_t now;

    IT_REQUIRE_STACK();
    new_user(&u);
    setup(&u, &a, NULL);
    setup(&u, &b, NULL);
    now = settled_step();
    cr_assert(eq(long, enable(&u, &a, now - 1, now, PASSWORD, NULL), 201));
    cr_assert(eq(long, enable(&u, &b, now - 1, now, PASSWORD, NULL), 409));
    cr_assert(eq(str, last_detail,
                 "another TOTP configuration of this user is enabled, or these codes were already used"));
    cr_assert(eq(long, enable(&u, &a, now, now + 1, PASSWORD, NULL), 409), "enabled twice");
    cr_assert(eq(str, last_detail, "the configuration is already enabled"));
}

/* Enable bodies that must be refused, and nothing enabled afterwards.
 * %1$s and %2$s in a body are the codes of the current and the next step. */
struct bad_enable {
    const char *body;
    long status;
    const char *pointer;
};

static const struct bad_enable bad_enables[] = {
    {"{\"codes\": [\"%1$s\", \"%2$s\"], \"password\": \"Wrong-Password-123\"}", 403, "/password"},
    {"{\"codes\": [\"%1$s\"], \"password\": \"" PASSWORD "\"}", 400, "/codes"},
    {"{\"codes\": [\"%1$s\", \"%2$s\", \"%1$s\"], \"password\": \"" PASSWORD "\"}", 400, "/codes"},
    {"{\"codes\": [\"%2$s\", \"%1$s\"], \"password\": \"" PASSWORD "\"}", 400, "/codes"},
    {"{\"codes\": [\"%1$s\", \"%1$s\"], \"password\": \"" PASSWORD "\"}", 400, "/codes"},
    {"{\"codes\": [\"123456\", \"654321\"], \"password\": \"" PASSWORD "\"}", 400, "/codes"},
    {"{\"codes\": \"%1$s%2$s\", \"password\": \"" PASSWORD "\"}", 400, "/codes"},
    {"{\"codes\": [123456, 654321], \"password\": \"" PASSWORD "\"}", 400, "/codes/0"},
    {"{\"codes\": [\"%1$s\", \"%2$s\"], \"password\": 12}", 400, "/password"},
    {"{\"codes\": [\"%1$s\", \"%2$s\"]}", 400, "/password"},
    {"{\"password\": \"" PASSWORD "\"}", 400, "/codes"},
    {"{\"codes\": [\"%1$s\", \"%2$s\"], \"password\": \"" PASSWORD "\", \"x\": 1}", 400, "/x"},
    {"[1, 2]", 400, ""},
};

ParameterizedTestParameters(mfa, refuses_bad_enable_requests)
{
    IT_INDEX_PARAMS(bad_enables);
}

ParameterizedTest(size_t *i, mfa, refuses_bad_enable_requests)
{
    const struct bad_enable *t = &bad_enables[*i];
    char a[CM_TOTP_CODE_MAX], b[CM_TOTP_CODE_MAX], body[512];
    struct ut_user u;
    struct totp c;
    json_t *doc;
    int64_t now;

    IT_REQUIRE_STACK();
    new_user(&u);
    setup(&u, &c, NULL);
    now = settled_step();
    code_at(&c, now, a);
    code_at(&c, now + 1, b);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(body, sizeof body, t->body, a, b);
#pragma GCC diagnostic pop
    cr_assert(eq(long, action(&u, c.id, "enable", body, &doc), t->status), "%s", body);
    cr_assert(eq(str, (char *)error_member(doc, 1, "pointer"), (char *)t->pointer), "%s", body);
    json_decref(doc);
    cr_assert(eq(long, login(&u, NULL, NULL, 0), 201), "enabled anyway by %s", body);
}

Test(mfa, other_users_configurations_are_not_found)
{
    struct ut_user owner, other;
    struct totp c;
    json_t *doc;
    char query[128], *text;
    int64_t now;

    IT_REQUIRE_STACK();
    new_user(&owner);
    new_user(&other);
    setup(&owner, &c, NULL);
    now = settled_step();
    cr_assert(eq(long, enable(&other, &c, now - 1, now, PASSWORD, NULL), 404));
    cr_assert(eq(long, delete_config(&other, c.id), 404));
    cr_assert(eq(long, delete_config(&other, "00000000-0000-4000-8000-000000000000"), 404));
    cr_assert(eq(long, delete_config(&other, "not-a-uuid"), 404));
    snprintf(query, sizeof query, "?filter[user-id]=%s", owner.id);
    cr_assert(eq(long, list(&other, query, &doc), 403));
    text = json_dumps(doc, 0);
    cr_assert(strstr(text, c.id) == NULL, "leaked the id");
    free(text);
    json_decref(doc);
    /* The owner's own filter works, and the other user has none. */
    cr_assert(eq(long, list(&owner, query, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    cr_assert(eq(long, list(&other, "", &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
}

Test(mfa, platform_admin_lists_any_user_and_can_disable)
{
    struct ut_user u, admin = {0};
    struct totp c;
    json_t *doc;
    char query[128], body[256];
    int64_t now;

    IT_REQUIRE_STACK();
    new_user(&u);
    setup(&u, &c, NULL);
    now = settled_step();
    cr_assert(eq(long, enable(&u, &c, now - 1, now, PASSWORD, NULL), 201));
    it_admin_token(admin.token);
    snprintf(query, sizeof query, "?filter[user-id]=%s", u.id);
    cr_assert(eq(long, list(&admin, query, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    cr_assert(
        eq(long, list(&admin, "?filter[user-id]=00000000-0000-4000-8000-000000000000", &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, list(&admin, "?filter[user-id]=nope", &doc), 400));
    cr_assert(eq(str, (char *)error_member(doc, 1, "parameter"), "filter[user-id]"));
    json_decref(doc);
    /* The admin may not delete it, but may disable it with their own password. */
    cr_assert(eq(long, delete_config(&admin, c.id), 404));
    snprintf(body, sizeof body, "{\"password\": \"%s\"}", it_env("TEST_ADMIN_PASSWORD"));
    cr_assert(eq(long, action(&admin, c.id, "disable", body, NULL), 201));
    cr_assert(eq(long, login(&u, NULL, NULL, 0), 201));
}

Test(mfa, setup_refuses_bodies_and_anonymous_callers)
{
    struct ut_user u;
    struct it_resp r;
    json_t *doc;

    IT_REQUIRE_STACK();
    it_call_token(&r, "GET", PATH, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 401);
    it_resp_release(&r);
    it_call_token(&r, "POST", PATH, NULL, "{}");
    it_assert_error_style(&r, "jsonapi", 401);
    it_resp_release(&r);

    new_user(&u);
    it_call_token(&r, "POST", PATH, u.token, "{\"secret\": \"AAAA\"}");
    it_assert_error_style(&r, "jsonapi", 400);
    doc = it_json(&r);
    cr_assert(eq(str, (char *)error_member(doc, 1, "pointer"), "/secret"));
    json_decref(doc);
    it_resp_release(&r);
    cr_assert(eq(long, list(&u, "?filter[other]=1", &doc), 400));
    json_decref(doc);
}
