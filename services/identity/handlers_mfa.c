/* handlers_mfa.c: the mfa-totp operations (#55-#59, handlers_mfa.h): set up
 * a TOTP second factor, enable it with the password and two consecutive
 * codes, disable it with the password, delete unused setups, list them.
 * The shared secret leaves the service once, in the creation response;
 * secrets, codes and passwords are never logged. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_body.h"
#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "cm_totp.h"
#include "handlers.h"
#include "identity_state.h"
#include "login_throttle.h"
#include "password_hash.h"
#include "qr_png.h"
#include "store_mfa.h"

#define MFA_TYPE "mfa-totp"
#define FIELD_MAX_CHARS 255 /* the seed's limit on password and each code */

/* --- responses --- */

/* Percent-encodes s (RFC 3986: all but unreserved characters) into out
 * (cap bytes; 3 * strlen(s) + 1 always suffices). */
static void url_encode(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *s && o + 4 <= cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

/* The "secret" attribute of a new configuration: the base32 key, the
 * otpauth:// URI (Key Uri Format of Google Authenticator) and that URI as a
 * QR code PNG. NULL when something failed (logged by the caller's 500). */
static json_t *secret_json(const struct mfa_totp *c, const char *username)
{
    char key[2 * MFA_SECRET_MAX], issuer[3 * sizeof MFA_ISSUER]; /* key: base32 of the secret */
    char account[3 * 256], uri[2 * sizeof account + 256], *b64;
    struct qr_png png = {0};
    size_t b64len;
    json_t *doc = NULL;

    if (cm_base32_encode(c->secret, c->secret_len, 0, key, sizeof key) != CM_OK)
        return NULL;
    url_encode(MFA_ISSUER, issuer, sizeof issuer);
    url_encode(username, account, sizeof account);
    snprintf(uri, sizeof uri,
             "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", issuer,
             account, key, issuer, CM_TOTP_DIGITS, CM_TOTP_STEP_S);
    if (qr_png_encode(uri, &png) == CM_OK) {
        b64len = sodium_base64_ENCODED_LEN(png.len, sodium_base64_VARIANT_ORIGINAL);
        b64 = cm_xmalloc(b64len);
        sodium_bin2base64(b64, b64len, png.data, png.len, sodium_base64_VARIANT_ORIGINAL);
        doc = json_pack("{s:s, s:s, s:{s:s, s:i, s:i, s:s}}", "provisioning-uri", uri,
                        "shared-secret-key", key, "provisioning-qrcode", "contents-base64", b64,
                        "height", png.height, "width", png.width, "mimetype", "image/png");
        free(b64);
        qr_png_release(&png);
    }
    sodium_memzero(key, sizeof key);
    sodium_memzero(uri, sizeof uri);
    return doc;
}

/* The mfa-totp resource for c; secret (stolen, may be NULL) is added as
 * the "secret" attribute. NULL when building failed. */
static json_t *resource_of(const struct mfa_totp *c, json_t *secret)
{
    json_t *attrs =
        json_pack("{s:s, s:b, s:o, s:o, s:s}", "created-at", c->created_at, "enabled", c->enabled,
                  "enabled-at", cm_json_str_or_null(c->enabled_at), "last-used",
                  cm_json_str_or_null(c->last_used), "user-id", c->user_id);

    if (attrs && secret)
        json_object_set_new(attrs, "secret", secret);
    else
        json_decref(secret);
    return attrs ? cm_jsonapi_resource(MFA_TYPE, c->id, attrs) : NULL;
}

/* Answers status with the document of one configuration (no secret). */
static cm_err reply_one(struct cm_req *rq, struct cm_resp *out, int status,
                        const struct mfa_totp *c)
{
    json_t *res = resource_of(c, NULL);

    cm_resp_json(out, rq, status, res ? cm_jsonapi_doc(res) : NULL);
    return CM_OK;
}

/* --- checks shared by the operations --- */

/* CM_OK when the caller is a signed-in user (TOTP belongs to people, not
 * to API clients): 401 without credentials, 403 for other principals. */
static cm_err require_user(struct cm_req *rq)
{
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && cm_principal_of(rq)->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER)
        err = cm_fail(rq, CM_EDENIED, "only users have TOTP configurations");
    return err;
}

/* The configuration named by the path's id into out, when it is the
 * caller's, or when admin_ok and the caller is the platform admin. 404
 * otherwise, exactly as for an id that does not exist. */
static cm_err config_of_path(struct cm_req *rq, int admin_ok, struct mfa_totp *out)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = CM_ENOTFOUND;

    if (id && cm_uuid_valid(id))
        err = store_mfa_get(&identity_state_of(rq->w)->totp, rq->w->pg, id, out);
    if (err == CM_OK && !cm_principal_is_self(rq, out->user_id) &&
        !(admin_ok && cm_principal_platform_admin(rq)))
        err = CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such TOTP configuration");
    return err;
}

/* Reads the required "password" member of body into *out (borrowed). */
static cm_err read_password(struct cm_req *rq, const json_t *body, const char **out)
{
    return cm_json_str(rq, body, "", "password", 1, 0, FIELD_MAX_CHARS, out);
}

/* CM_OK when password is the caller's own; 403 on /password otherwise,
 * 429/423 while the account's failed password checks throttle or lock it
 * (login_throttle.h: the same record as login's). */
static cm_err check_password(struct cm_req *rq, const char *password)
{
    struct mfa_user u;
    cm_err err = store_mfa_user(rq->w->pg, cm_principal_of(rq)->user_id, &u);

    if (err == CM_ENOTFOUND) {
        u.password_hash[0] = '\0'; /* pw_verify then checks a dummy hash */
        u.username[0] = '\0';
    } else if (err != CM_OK) {
        return err;
    }
    if (u.username[0])
        err = login_throttle_verify(rq, u.username, u.password_hash, password);
    else
        err = pw_verify(identity_state_of(rq->w)->hashers, rq->w->cfg, u.password_hash, password);
    sodium_memzero(u.password_hash, sizeof u.password_hash);
    if (err == CM_EUNAUTH)
        return cm_fail_at(rq, CM_EDENIED, "/password", NULL, "password is incorrect");
    return err; /* CM_ELIMIT, CM_ELOCKED: detail set by login_throttle_verify */
}

/* Reads "codes": an array of exactly 2 strings of 1..255 characters. */
static cm_err read_codes(struct cm_req *rq, const json_t *body, const char *codes[2])
{
    const json_t *arr = json_object_get(body, "codes");
    char ptr[16];

    if (!arr || json_is_null(arr))
        return cm_fail_at(rq, CM_EINVAL, "/codes", NULL, "codes is required");
    if (!json_is_array(arr) || json_array_size(arr) != 2)
        return cm_fail_at(rq, CM_EINVAL, "/codes", NULL, "codes must be an array of 2 strings");
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_array_get(arr, i);
        size_t chars = json_is_string(v) ? cm_body_utf8_chars(json_string_value(v)) : 0;
        snprintf(ptr, sizeof ptr, "/codes/%zu", i);
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
            chars < 1 || chars > FIELD_MAX_CHARS)
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL,
                              "each code must be a string of 1 to %d characters", FIELD_MAX_CHARS);
        codes[i] = json_string_value(v);
    }
    return CM_OK;
}

/* --- operations --- */

cm_err mfa_totp_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[user-id]", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    char user[CM_UUID_LEN + 1];
    struct mfa_totp *rows = NULL;
    size_t n = 0;
    json_t *data;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[user-id]", user);
    if (err != CM_OK)
        return err;
    for (char *c = user; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    if (!user[0]) {
        if (p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER)
            return cm_fail_at(rq, CM_EINVAL, NULL, "filter[user-id]",
                              "filter[user-id] is required for API clients");
        snprintf(user, sizeof user, "%s", p->user_id);
    } else if (!cm_principal_is_self(rq, user)) {
        if (cm_principal_platform_admin(rq))
            err = store_mfa_user_visible(rq->w->pg, user, NULL);
        else if (cm_principal_org_admin(rq, p->organization_id))
            err = store_mfa_user_visible(rq->w->pg, user, p->organization_id);
        else
            return cm_fail_at(rq, CM_EDENIED, NULL, "filter[user-id]",
                              "only administrators may list another user's configurations");
        if (err == CM_ENOTFOUND)
            return cm_fail_at(rq, err, NULL, "filter[user-id]", "no such user");
    }
    if (err == CM_OK)
        err = store_mfa_list(&identity_state_of(rq->w)->totp, rq->w->pg, user, &rows, &n);
    if (err != CM_OK)
        return err;
    data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *res = resource_of(&rows[i], NULL);
        if (!res || json_array_append_new(data, res) != 0) {
            json_decref(data);
            data = NULL;
            break;
        }
    }
    if (rows)
        sodium_memzero(rows, n * sizeof *rows);
    free(rows);
    cm_resp_json(out, rq, 200, data ? cm_jsonapi_doc(data) : NULL);
    return CM_OK;
}

cm_err mfa_totp_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {NULL};
    const char *user_id = cm_principal_of(rq)->user_id;
    uint8_t secret[CM_TOTP_SECRET_BYTES];
    struct mfa_totp c;
    struct mfa_user u;
    json_t *body = NULL, *sec, *res = NULL;
    cm_err err = require_user(rq);

    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, &body);
    json_decref(body);
    if (err == CM_OK)
        err = store_mfa_user(rq->w->pg, user_id, &u);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, CM_EDENIED, "the account no longer exists");
    if (err != CM_OK)
        return err;
    randombytes_buf(secret, sizeof secret);
    err = store_mfa_create(&identity_state_of(rq->w)->totp, rq->w->pg, user_id, secret, sizeof secret, &c);
    sodium_memzero(secret, sizeof secret);
    if (err == CM_ECONFLICT)
        return cm_fail(rq, err,
                       "at most %d TOTP configurations may wait to be enabled: delete one first",
                       MFA_MAX_PENDING);
    if (err != CM_OK)
        return err;
    sec = secret_json(&c, u.username);
    sodium_memzero(c.secret, sizeof c.secret);
    if (sec)
        res = resource_of(&c, sec);
    cm_resp_json(out, rq, 201, res ? cm_jsonapi_doc(res) : NULL);
    return CM_OK;
}

cm_err mfa_totp_delete(struct cm_req *rq, struct cm_resp *out)
{
    struct mfa_totp c;
    cm_err err = require_user(rq);

    if (err == CM_OK)
        err = config_of_path(rq, 0, &c);
    if (err == CM_OK)
        err = store_mfa_delete(rq->w->pg, c.id);
    if (err == CM_ECONFLICT)
        return cm_fail(rq, err, "the configuration is enabled: disable it before deleting it");
    if (err != CM_OK)
        return err;
    out->status = 204;
    out->content_type = "application/json";
    return CM_OK;
}

cm_err mfa_totp_disable(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"password", NULL};
    const char *password = NULL;
    struct mfa_totp c;
    json_t *body = NULL;
    cm_err err = require_user(rq);

    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, &body);
    if (err == CM_OK)
        err = read_password(rq, body, &password);
    if (err == CM_OK)
        err = config_of_path(rq, 1, &c);
    if (err == CM_OK && !c.enabled)
        err = cm_fail(rq, CM_ECONFLICT, "the configuration is not enabled");
    if (err == CM_OK)
        err = check_password(rq, password);
    json_decref(body);
    if (err == CM_OK)
        err = store_mfa_disable(&identity_state_of(rq->w)->totp, rq->w->pg, c.id, &c);
    if (err == CM_ECONFLICT && !rq->detail[0])
        err = cm_fail(rq, err, "the configuration is not enabled");
    if (err != CM_OK)
        return err;
    return reply_one(rq, out, 201, &c);
}

/* The first of two consecutive steps whose codes are codes[0] and codes[1],
 * both within the window around now and after c's last used step; 0 when
 * there is none. */
static int consecutive_steps(const struct mfa_totp *c, const char *const codes[2],
                             int64_t *out_first)
{
    int64_t now = (int64_t)time(NULL), first, second;

    if (!cm_totp_verify(c->secret, c->secret_len, codes[0], now, c->last_step, &first))
        return 0;
    if (!cm_totp_verify(c->secret, c->secret_len, codes[1], now, first, &second) ||
        second != first + 1)
        return 0;
    *out_first = first;
    return 1;
}

cm_err mfa_totp_enable(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"codes", "password", NULL};
    const char *password = NULL, *codes[2] = {NULL, NULL};
    struct mfa_totp c;
    int64_t first = 0;
    json_t *body = NULL;
    cm_err err = require_user(rq);

    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, &body);
    if (err == CM_OK)
        err = read_codes(rq, body, codes);
    if (err == CM_OK)
        err = read_password(rq, body, &password);
    if (err == CM_OK)
        err = config_of_path(rq, 0, &c);
    if (err == CM_OK && c.enabled)
        err = cm_fail(rq, CM_ECONFLICT, "the configuration is already enabled");
    if (err == CM_OK)
        err = check_password(rq, password);
    if (err == CM_OK && !consecutive_steps(&c, codes, &first))
        err = cm_fail_at(rq, CM_EINVAL, "/codes", NULL,
                         "codes must be the codes of two consecutive time steps, current ones");
    json_decref(body);
    if (err == CM_OK)
        err = store_mfa_enable(&identity_state_of(rq->w)->totp, rq->w->pg, c.id, first, first + 1, &c);
    sodium_memzero(c.secret, sizeof c.secret);
    if (err == CM_ECONFLICT && !rq->detail[0])
        err = cm_fail(rq, err,
                      "another TOTP configuration of this user is enabled, or these codes were "
                      "already used");
    if (err != CM_OK)
        return err;
    return reply_one(rq, out, 201, &c);
}
