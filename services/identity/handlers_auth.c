/* handlers_auth.c: login (#54), refresh-token (#111), authenticate (#9) and
 * identity.rpc.IssueTokens, with the login steps they share
 * (handlers_auth.h). Passwords, codes and tokens are never logged. */
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agreements_check.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "cm_principal.h"
#include "client_addr.h"
#include "handlers.h"
#include "identity_state.h"
#include "identity.pb-c.h"
#include "login_throttle.h"
#include "mfa.h"
#include "password_hash.h"
#include "password_policy.h"
#include "store.h"
#include "store_auth.h"
#include "tokens.h"

#define TOTP_CODE_MAX 64
#define AGREEMENTS_MAX 100

void auth_respond(struct cm_req *rq, struct cm_resp *out, json_t *body)
{
    cm_resp_json(out, rq, 201, body);
}

cm_err auth_finish_login(struct cm_worker *w, const char *user_id, const char *username,
                         const struct login_opts *o, int check_mfa, const char *totp_code,
                         char *detail, char *pointer, json_t **out)
{
    struct session_new sn = {0};
    struct auth_user u;
    enum mfa_login mfa = MFA_LOGIN_OK;
    cm_err err = store_auth_user_by_id(w->pg, user_id, &u);

    detail[0] = pointer[0] = '\0';
    if (err == CM_ENOTFOUND)
        snprintf(detail, 128, "no such user");
    if (err != CM_OK)
        return err;
    if (!u.enabled) {
        snprintf(detail, 128, "account disabled");
        return CM_EDENIED;
    }
    if (!u.registered) {
        snprintf(detail, 128, "account not confirmed");
        return CM_EDENIED;
    }
    if (check_mfa)
        err = mfa_login_check(&identity_state_of(w)->totp, w->pg, user_id, totp_code, &mfa);
    if (err != CM_OK)
        return err;
    if (mfa != MFA_LOGIN_OK) {
        snprintf(detail, 128, mfa == MFA_LOGIN_REQUIRED ? "totp code required"
                                                          : "totp code is wrong");
        snprintf(pointer, 32, "/totp-code");
        if (mfa == MFA_LOGIN_WRONG && username)
            err = login_throttle_failure(w->pg, w->cfg, username, o->addr ? o->addr : "unknown");
        return err != CM_OK ? err : CM_EUNAUTH;
    }
    sn.user_id = user_id;
    sn.interactive = o->interactive;
    sn.access_ttl_s = o->access_ttl_s;
    sn.refresh_ttl_s = o->refresh_ttl_s;
    sn.activity = "login";
    sn.locale = o->locale;
    sn.expect_gen = o->expect_gen ? o->expect_gen : u.token_gen;
    err = cm_pg_begin(w->pg);
    if (err == CM_OK)
        err = tokens_issue(&identity_state_of(w)->signing, w->pg, &sn, out);
    if (err == CM_ENOTFOUND) { /* disabled or revoked since the checks above */
        snprintf(detail, 128, "the account changed during the login; log in again");
        err = CM_EUNAUTH;
    }
    if (err == CM_OK && username && o->addr) /* the pair's failures go, the address is known */
        err = login_throttle_success(w->pg, username, o->addr);
    err = cm_pg_end(w->pg, err);
    if (err != CM_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return err;
}

/* Checks that member name of body, when given, is an array of at most
 * AGREEMENTS_MAX uuids. */
static cm_err uuid_array(struct cm_req *rq, const json_t *body, const char *name)
{
    const json_t *v = json_object_get(body, name), *item;
    char ptr[96];
    size_t i;

    if (!v || json_is_null(v))
        return CM_OK;
    snprintf(ptr, sizeof ptr, "/%s", name);
    if (!json_is_array(v) || json_array_size(v) > AGREEMENTS_MAX)
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s must be an array of at most %d uuids",
                          name, AGREEMENTS_MAX);
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item) || !cm_uuid_valid(json_string_value(item))) {
            snprintf(ptr, sizeof ptr, "/%s/%zu", name, i);
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s must hold uuids", name);
        }
    }
    return CM_OK;
}

/* The login body, validated. */
struct login_input {
    const char *username, *password, *totp_code;
    struct login_opts o;
};

static cm_err login_read(struct cm_req *rq, json_t *body, struct login_input *in)
{
    const struct cm_config *cfg = rq->w->cfg;
    long access = 0, refresh = 0, ignored = 0;
    int interactive = 1, sticky = 0;
    cm_err err;

    memset(in, 0, sizeof *in);
    err = cm_json_str(rq, body, "", "username", 1, 0, 255, &in->username);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "password", 1, 0, PW_MAX_CHARS, &in->password);
    if (err == CM_OK)
        err = cm_json_int(rq, body, "", "access-token-expiration-seconds", 0, 1, 3600,
                          cfg->access_token_ttl_s, &access);
    if (err == CM_OK)
        err = cm_json_int(rq, body, "", "refresh-token-expiration-seconds", 0, 1, INT_MAX,
                          cfg->refresh_token_ttl_s, &refresh);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "interactive", 0, 1, &interactive);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "locale", 0, 0, 32, &in->o.locale);
    if (err == CM_OK && in->o.locale && !users_locale_valid(in->o.locale))
        err = cm_fail_at(rq, CM_EINVAL, "/locale", NULL, "locale must look like en or en_US");
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "totp-code", 0, 1, TOTP_CODE_MAX, &in->totp_code);
    if (err == CM_OK)
        err = uuid_array(rq, body, "service-document-agreements");
    if (err == CM_OK)
        err = cm_json_int(rq, body, "", "simulated-queue-delay", 0, 1, 60000, 1, &ignored);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "sticky-access-token-expiration", 0, 0, &sticky);
    /* Access tokens always keep the login's lifetime across refreshes:
     * "sticky" changes nothing. Never longer than the configured maxima. */
    in->o.access_ttl_s = (int)(access < cfg->access_token_ttl_s ? access : cfg->access_token_ttl_s);
    in->o.refresh_ttl_s =
        (int)(refresh < cfg->refresh_token_ttl_s ? refresh : cfg->refresh_token_ttl_s);
    in->o.interactive = interactive;
    return err;
}

cm_err auth_login(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {
        "username", "password", "access-token-expiration-seconds",
        "refresh-token-expiration-seconds", "interactive", "locale", "totp-code",
        "service-document-agreements", "simulated-queue-delay",
        "sticky-access-token-expiration", NULL};
    struct cm_worker *w = rq->w;
    char detail[128], pointer[32], addr[CLIENT_ADDR_MAX];
    struct login_input in;
    struct auth_user u;
    json_t *body = NULL, *resp = NULL;
    int known, refused = 0;
    cm_err err;

    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    err = login_read(rq, body, &in);
    if (err != CM_OK)
        goto done;
    client_addr_of(rq, addr);
    in.o.addr = addr;
    /* Throttle and lock first: a refused attempt never reaches argon2. */
    err = login_throttle_check(rq, in.username, "logins");
    if (err != CM_OK)
        goto done;
    err = store_auth_user_by_name(w->pg, in.username, &u);
    known = err == CM_OK;
    if (err != CM_OK && err != CM_ENOTFOUND)
        goto done;
    /* An unknown user costs the same argon2id verification (pw_verify). */
    err = pw_verify(identity_state_of(w)->hashers, w->cfg, known ? u.password_hash : NULL,
                    in.password);
    sodium_memzero(u.password_hash, sizeof u.password_hash);
    if (err != CM_OK) {
        err = login_throttle_failure(w->pg, w->cfg, in.username, addr);
        if (err == CM_OK)
            err = cm_fail(rq, CM_EUNAUTH, "wrong username or password");
        goto done;
    }
    in.o.expect_gen = u.token_gen; /* read with the hash just verified */
    /* service documents (agreements_check.h): records those agreed to
     * here, refuses with the ones still to agree to */
    err = agreements_check(rq, out, u.id, json_object_get(body, "service-document-agreements"),
                           &refused);
    if (err != CM_OK || refused)
        goto done;
    err = auth_finish_login(w, u.id, in.username, &in.o, 1, in.totp_code, detail, pointer, &resp);
    if (err == CM_OK)
        auth_respond(rq, out, resp);
    else if (detail[0])
        err = cm_fail_at(rq, err, pointer[0] ? pointer : NULL, NULL, "%s", detail);
done:
    json_decref(body);
    return err;
}

cm_err auth_session_revoked_event(PGconn *pg, const char *session_id, const char *user_id,
                                 const char *reason, int64_t at)
{
    Identity__SessionRevoked ev = IDENTITY__SESSION_REVOKED__INIT;
    char occurred_at[40];
    time_t t = (time_t)at;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(occurred_at, sizeof occurred_at, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
    ev.session_id = (char *)session_id;
    ev.user_id = (char *)user_id;
    ev.reason = (char *)reason;
    ev.occurred_at = occurred_at;
    ev.revoked_before = at;
    return cm_outbox_add(pg, IDENTITY_EVT_SESSION_REVOKED, &ev.base, NULL);
}

/* Why token hash did not rotate, as the error to answer; a reused token
 * revokes its session (with its event) first. */
static cm_err refresh_refused(struct cm_req *rq, const uint8_t hash[STORE_HASH_BYTES])
{
    PGconn *pg = rq->w->pg;
    enum refresh_state state = REFRESH_UNKNOWN;
    char session_id[40], user_id[40];
    int revoked = 0;
    int64_t at = 0;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_refresh_diagnose(pg, hash, &state, session_id, user_id);
    if (err == CM_OK && state == REFRESH_REUSED)
        err = store_session_revoke(pg, session_id, "refresh_reuse", &revoked, &at);
    if (err == CM_OK && revoked)
        err = auth_session_revoked_event(pg, session_id, user_id, "refresh_reuse", at);
    err = cm_pg_end(pg, err);
    if (err != CM_OK) {
        return err;
    }
    if (revoked)
        cm_info("refresh token reused: session %s revoked", session_id);
    switch (state) {
    case REFRESH_REUSED:
        return cm_fail_at(rq, CM_EUNAUTH, "/refresh-token", NULL,
                          "refresh token was already used; its session is revoked");
    case REFRESH_EXPIRED:
        return cm_fail_at(rq, CM_EUNAUTH, "/refresh-token", NULL, "refresh token expired");
    case REFRESH_REVOKED:
        return cm_fail_at(rq, CM_EUNAUTH, "/refresh-token", NULL, "session revoked");
    case REFRESH_DISABLED:
        return cm_fail(rq, CM_EDENIED, "account disabled");
    default:
        return cm_fail_at(rq, CM_EUNAUTH, "/refresh-token", NULL, "refresh token is invalid");
    }
}

/* The service-document gate of a refresh (agreements_check.h), asked
 * before the token rotates, so that a refused refresh leaves it usable
 * once the person has agreed (at a login). Tokens that would not rotate
 * are left to the rotation to refuse. */
static cm_err refresh_agreements(struct cm_req *rq, struct cm_resp *out,
                                 const uint8_t hash[STORE_HASH_BYTES], int *refused)
{
    enum refresh_state state = REFRESH_UNKNOWN;
    char session_id[40], user_id[40];
    cm_err err = cm_pg_begin(rq->w->pg);

    *refused = 0;
    if (err == CM_OK)
        err = store_refresh_diagnose(rq->w->pg, hash, &state, session_id, user_id);
    cm_pg_rollback(rq->w->pg);
    if (err != CM_OK)
        return err;
    if (state != REFRESH_VALID)
        return CM_OK;
    return agreements_check(rq, out, user_id, NULL, refused);
}

cm_err auth_refresh(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"refresh-token", "interactive", NULL};
    const struct signing_key *key = &identity_state_of(rq->w)->signing;
    char fresh[REFRESH_TOKEN_LEN + 1];
    uint8_t old_hash[STORE_HASH_BYTES], new_hash[STORE_HASH_BYTES];
    json_t *body = NULL, *resp = NULL;
    const char *token = NULL;
    struct login_rec rec = {0};
    int interactive = 0, refused = 0;
    cm_err err;

    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, body, "", "refresh-token", 1, 0, REFRESH_TOKEN_MAX, &token);
    /* interactive is accepted and changes nothing */
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "interactive", 0, 0, &interactive);
    if (err != CM_OK)
        goto done;
    tokens_hash(token, old_hash);
    err = refresh_agreements(rq, out, old_hash, &refused);
    if (err != CM_OK || refused)
        goto done;
    tokens_refresh_new(fresh, new_hash);
    err = store_refresh_rotate(rq->w->pg, old_hash, new_hash, &rec);
    if (err == CM_ENOTFOUND) {
        err = refresh_refused(rq, old_hash);
        goto done;
    }
    if (err == CM_OK)
        err = tokens_response(key, &rec, fresh, (int64_t)time(NULL), &resp);
    if (err == CM_OK)
        auth_respond(rq, out, resp);
done:
    sodium_memzero(fresh, sizeof fresh);
    store_login_free(&rec);
    json_decref(body);
    return err;
}

cm_err auth_authenticate(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"edge-request", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    json_t *body = NULL, *roles, *data;
    struct auth_user u;
    int edge = 0;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (rq->http->body.len > 0) { /* the body is optional */
        err = cm_req_json_object(rq, allowed, &body);
        if (err == CM_OK)
            err = cm_json_bool(rq, body, "", "edge-request", 0, 0, &edge);
        json_decref(body);
        if (err != CM_OK)
            return err;
    }
    u.email[0] = '\0';
    if (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER) {
        err = store_auth_user_by_id(rq->w->pg, p->user_id, &u);
        if (err == CM_ENOTFOUND)
            return cm_fail(rq, CM_EUNAUTH, "the account no longer exists");
        if (err != CM_OK)
            return err;
        sodium_memzero(u.password_hash, sizeof u.password_hash);
    }
    roles = json_array();
    for (size_t i = 0; i < p->n_roles; i++)
        json_array_append_new(roles, json_string(p->roles[i]));
    /* An API client has no email and no session: those are null. */
    data = json_pack("{s:o, s:o, s:o, s:o, s:s}", "email", cm_json_str_or_null(u.email),
                     "organization-id", cm_json_str_or_null(p->organization_id), "roles", roles,
                     "session-id", cm_json_str_or_null(p->session_id), "user-id", p->user_id);
    auth_respond(rq, out, data ? json_pack("{s:o}", "data", data) : NULL);
    return CM_OK;
}

cm_err rpc_issue_tokens(struct cm_worker *w, const Envelope__RpcRequest *req,
                        uint8_t **out_payload, size_t *out_len)
{
    Identity__IssueTokensRequest *in;
    Identity__IssueTokensReply reply = IDENTITY__ISSUE_TOKENS_REPLY__INIT;
    struct login_opts o = {w->cfg->access_token_ttl_s, w->cfg->refresh_token_ttl_s, 1, NULL, 0, NULL};
    char detail[128], pointer[32];
    json_t *resp = NULL;
    char *text = NULL;
    cm_err err;

    in = identity__issue_tokens_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed IssueTokensRequest");
    if (!cm_uuid_valid(in->user_id)) {
        identity__issue_tokens_request__free_unpacked(in, NULL);
        return cm_rpc_fail(w, CM_ENOTFOUND, "no such user");
    }
    o.interactive = in->interactive;
    /* No TOTP here: an account that is just being confirmed cannot have
     * set one up. */
    err = auth_finish_login(w, in->user_id, NULL, &o, 0, NULL, detail, pointer, &resp);
    identity__issue_tokens_request__free_unpacked(in, NULL);
    if (err != CM_OK)
        return detail[0] ? cm_rpc_fail(w, err, "%s", detail) : err;
    text = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    if (!text)
        return CM_ENOMEM;
    reply.login_json = text;
    *out_payload = cm_pack(&reply.base, out_len);
    sodium_memzero(text, strlen(text));
    free(text);
    return CM_OK;
}
