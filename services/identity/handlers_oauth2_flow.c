/* handlers_oauth2_flow.c: sign-in through an organization's OpenID
 * provider (#65-#67, handlers_oauth2.h): the launcher sends the browser to
 * the provider (authorization code, PKCE S256, state, nonce), the
 * redirector takes the code back, verifies the ID token (oidc_jwt.h),
 * links or provisions the account by the organization's policy, and sends
 * the browser on to the application with a one-time code, which the
 * application trades for the suite's tokens at oauth2-tokens. The provider
 * calls (oidc_http.h) block, so these operations run on the slow-work pool
 * (main.c). Codes, secrets, tokens and claims are never logged. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "client_addr.h"
#include "handlers.h"
#include "handlers_oauth2.h"
#include "oidc_http.h"
#include "oidc_jwt.h"
#include "public_url.h"
#include "sso_account.h"
#include "store.h"
#include "store_users.h"
#include "tokens.h"

#define FLOW_TTL_S 600 /* a launch must come back within 10 minutes */
#define CODE_TTL_S 60  /* the application trades its code within a minute */
#define RANDOM_TEXT 44 /* base64url of 32 random bytes, with the NUL */

/* 32 random bytes as base64url text. */
static void random_text(char out[RANDOM_TEXT])
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, RANDOM_TEXT, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The provider's discovery document, checked: its issuer is issuer and it
 * names the endpoints. *out caller json_decref. */
static cm_err discover(struct cm_req *rq, const char *issuer, json_t **out)
{
    size_t n = strlen(issuer);
    char *url = cm_xmalloc(n + 40);
    long status = 0;
    const char *iss;
    cm_err err;

    snprintf(url, n + 40, "%.*s/.well-known/openid-configuration",
             (int)(n && issuer[n - 1] == '/' ? n - 1 : n), issuer);
    err = oidc_http_json(url, NULL, NULL, NULL, &status, out);
    free(url);
    if (err != CM_OK || status != 200) {
        if (err == CM_OK)
            json_decref(*out);
        return cm_fail(rq, CM_EUNAVAIL, "the OpenID provider's configuration cannot be read");
    }
    iss = json_string_value(json_object_get(*out, "issuer"));
    if (!iss || strcmp(iss, issuer) ||
        !json_is_string(json_object_get(*out, "authorization_endpoint")) ||
        !json_is_string(json_object_get(*out, "token_endpoint")) ||
        !json_is_string(json_object_get(*out, "jwks_uri"))) {
        json_decref(*out);
        return cm_fail(rq, CM_EUNAVAIL, "the OpenID provider's configuration is not usable");
    }
    return CM_OK;
}

/* Appends &name=value (escaped) to the string *url. */
static void add_param(char **url, const char *name, const char *value)
{
    char *v = oidc_http_escape(value);
    size_t n = strlen(*url) + strlen(name) + strlen(v) + 3;
    char *next = cm_xmalloc(n);

    snprintf(next, n, "%s%c%s=%s", *url, strchr(*url, '?') ? '&' : '?', name, v);
    free(*url);
    free(v);
    *url = next;
}

/* Space-separated scopes of a JSON array text. */
static void scopes_text(const char *json, char *buf, size_t cap)
{
    json_t *a = json_loads(json, 0, NULL), *v;
    size_t i, off = 0;

    buf[0] = '\0';
    json_array_foreach(a, i, v)
    {
        int k = snprintf(buf + off, cap - off, "%s%s", off ? " " : "", json_string_value(v));
        if (k < 0 || (size_t)k >= cap - off)
            break;
        off += (size_t)k;
    }
    json_decref(a);
}

cm_err oauth2_launcher(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"iss", "launch", NULL};
    char iss[4100], launch[4100], back[400], state[40], nonce[RANDOM_TEXT], verifier[RANDOM_TEXT];
    char challenge[RANDOM_TEXT], scopes[2048];
    unsigned char digest[crypto_hash_sha256_BYTES];
    struct oauth2_client_rec *c = NULL;
    json_t *conf = NULL;
    char *url = NULL;
    cm_err err = cm_query_known(rq, known);

    if (err == CM_OK)
        err = cm_query_text(rq, "iss", 1024, iss, sizeof iss);
    if (err == CM_OK && !iss[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "iss", "iss is required");
    if (err == CM_OK)
        err = cm_query_text(rq, "launch", 1024, launch, sizeof launch);
    if (err == CM_OK && !launch[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "launch", "launch is required");
    if (err == CM_OK)
        err = public_url(rq, "/v1/oauth2-redirector/", back, sizeof back);
    if (err == CM_OK) {
        err = store_oauth2_client_by_issuer(rq->w->pg, iss, &c);
        if (err == CM_ENOTFOUND)
            cm_fail_at(rq, err, NULL, "iss", "no organization signs in with this issuer");
    }
    if (err == CM_OK && !c->provider_client_id[0])
        err = cm_fail(rq, CM_ECONFLICT, "the organization's OpenID provider is not configured");
    if (err == CM_OK)
        err = discover(rq, c->issuer, &conf);
    if (err == CM_OK) {
        random_text(nonce);
        random_text(verifier);
        crypto_hash_sha256(digest, (const unsigned char *)verifier, strlen(verifier));
        sodium_bin2base64(challenge, sizeof challenge, digest, sizeof digest,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        err = store_oidc_flow_start(rq->w->pg, c->id, nonce, verifier, back, launch, FLOW_TTL_S,
                                    state);
    }
    if (err == CM_OK) {
        scopes_text(c->scopes, scopes, sizeof scopes);
        url = cm_xstrdup(json_string_value(json_object_get(conf, "authorization_endpoint")));
        add_param(&url, "response_type", "code");
        add_param(&url, "client_id", c->provider_client_id);
        add_param(&url, "redirect_uri", back);
        add_param(&url, "scope", scopes);
        add_param(&url, "state", state);
        add_param(&url, "nonce", nonce);
        add_param(&url, "code_challenge", challenge);
        add_param(&url, "code_challenge_method", "S256");
        add_param(&url, "launch", launch);
        cm_resp_redirect(out, rq, 302, url);
    }
    free(url);
    sodium_memzero(verifier, sizeof verifier);
    json_decref(conf);
    free(c);
    return err;
}

/* Trades code for the provider's tokens and verifies the ID token: its
 * claims to *claims. */
static cm_err provider_login(struct cm_req *rq, const struct oauth2_client_rec *c,
                             const struct oidc_flow_rec *f, const char *code,
                             struct oidc_claims *claims)
{
    json_t *conf = NULL, *tok = NULL, *jwks = NULL;
    char *form = NULL, *ecode = NULL, *eback = NULL, *ever = NULL, detail[160];
    const char *id_token;
    long status = 0;
    size_t n;
    cm_err err = discover(rq, c->issuer, &conf);

    if (err != CM_OK)
        return err;
    ecode = oidc_http_escape(code);
    eback = oidc_http_escape(f->redirect_uri);
    ever = oidc_http_escape(f->verifier);
    n = strlen(ecode) + strlen(eback) + strlen(ever) + 100;
    form = cm_xmalloc(n);
    snprintf(form, n, "grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=%s",
             ecode, eback, ever);
    err = oidc_http_json(json_string_value(json_object_get(conf, "token_endpoint")), form,
                         c->provider_client_id, c->provider_client_secret, &status, &tok);
    if (err != CM_OK) {
        cm_fail(rq, err, "the OpenID provider's token endpoint cannot be reached");
        goto done;
    }
    id_token = json_string_value(json_object_get(tok, "id_token"));
    if (status != 200 || !id_token) {
        err = cm_fail_at(rq, CM_EINVAL, NULL, "code", "the OpenID provider refused the code");
        goto done;
    }
    err = oidc_http_json(json_string_value(json_object_get(conf, "jwks_uri")), NULL, NULL, NULL,
                         &status, &jwks);
    if (err != CM_OK || status != 200) {
        err = cm_fail(rq, CM_EUNAVAIL, "the OpenID provider's keys cannot be read");
        goto done;
    }
    err = oidc_id_token_verify(id_token, jwks, c->issuer, c->provider_client_id, f->nonce,
                               (int64_t)time(NULL), claims, detail, sizeof detail);
    if (err != CM_OK)
        cm_fail(rq, err, "%s", detail);
done:
    json_decref(conf);
    json_decref(tok);
    json_decref(jwks);
    free(form);
    free(ecode);
    free(eback);
    if (ever) {
        sodium_memzero(ever, strlen(ever));
        free(ever);
    }
    return err;
}

cm_err oauth2_redirector(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"code", "state", "iss", "error", "error_description",
                                        "error_uri", "session_state", NULL};
    char code[4100], state[CM_UUID_LEN + 1], iss[4100], perr[260];
    char user_id[40], appcode[REFRESH_TOKEN_LEN + 1], hex[STORE_HASH_BYTES * 2 + 1];
    uint8_t hash[STORE_HASH_BYTES];
    struct oauth2_client_rec *c = NULL;
    struct oidc_flow_rec f;
    struct oidc_claims k;
    json_t *uris = NULL;
    char *url = NULL;
    cm_err err = cm_query_known(rq, known);

    if (err == CM_OK)
        err = cm_query_text(rq, "error", 64, perr, sizeof perr);
    if (err == CM_OK && perr[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "error", "the OpenID provider refused the sign-in: %s",
                         strspn(perr, "abcdefghijklmnopqrstuvwxyz_") == strlen(perr) ? perr
                                                                                     : "error");
    if (err == CM_OK)
        err = cm_query_text(rq, "code", 1024, code, sizeof code);
    if (err == CM_OK && !code[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "code", "code is required");
    if (err == CM_OK && cm_query_get(rq, "state", state, sizeof state) != 1)
        err = cm_fail_at(rq, CM_EINVAL, NULL, "state", "state must be a uuid");
    if (err == CM_OK && !cm_uuid_valid(state))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "state", "state must be a uuid");
    if (err == CM_OK)
        err = cm_query_text(rq, "iss", 1024, iss, sizeof iss);
    if (err == CM_OK) { /* used once: taken whatever happens next */
        err = store_oidc_flow_take(rq->w->pg, state, &f);
        if (err == CM_ENOTFOUND)
            cm_fail_at(rq, CM_EINVAL, NULL, "state", "unknown, used or expired state");
        if (err == CM_ENOTFOUND)
            err = CM_EINVAL;
    }
    if (err == CM_OK)
        err = store_oauth2_client_get(rq->w->pg, f.client, &c);
    if (err == CM_OK && iss[0] && strcmp(iss, c->issuer))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "iss", "the answer is not from the provider asked");
    if (err == CM_OK)
        err = provider_login(rq, c, &f, code, &k);
    if (err == CM_OK) {
        err = cm_pg_begin(rq->w->pg);
        struct sso_identity who = {c->issuer, c->organization_id, c->account_policy, k.sub,
                                   k.email, k.email_verified, k.given_name, k.family_name};
        if (err == CM_OK)
            err = sso_account_of(rq, &who, user_id);
        if (err == CM_OK) {
            tokens_refresh_new(appcode, hash);
            sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
            err = store_oauth2_code_add(rq->w->pg, hex, c->id, user_id, CODE_TTL_S);
        }
        err = cm_pg_end(rq->w->pg, err);
    }
    if (err == CM_OK) {
        uris = json_loads(c->redirect_uris, 0, NULL);
        url = cm_xstrdup(json_string_value(json_array_get(uris, 0)));
        if (!url)
            err = cm_fail(rq, CM_ECONFLICT, "the settings have no redirect uri");
    }
    if (err == CM_OK) {
        add_param(&url, "code", appcode);
        add_param(&url, "state", f.launch);
        cm_resp_redirect(out, rq, 302, url);
    }
    free(url);
    sodium_memzero(appcode, sizeof appcode);
    sodium_memzero(&f, sizeof f);
    json_decref(uris);
    free(c);
    return err;
}

cm_err oauth2_tokens(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"client_id", "client_secret", "code", "grant_type",
                                          "redirect_uri", NULL};
    const char *client_id, *secret, *code, *grant, *back = NULL;
    char hex[STORE_HASH_BYTES * 2 + 1], user_id[40];
    uint8_t hash[STORE_HASH_BYTES];
    struct oauth2_client_rec *c = NULL;
    json_t *body = NULL, *resp = NULL, *uris = NULL;
    cm_err err = cm_req_json_object(rq, allowed, &body);

    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, body, "", "client_id", 1, 0, 100, &client_id);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "client_secret", 1, 0, 255, &secret);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "code", 1, 0, 255, &code);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "grant_type", 1, 0, 64, &grant);
    if (err == CM_OK && strcmp(grant, "authorization_code"))
        err = cm_fail_at(rq, CM_EINVAL, "/grant_type", NULL,
                         "grant_type must be authorization_code");
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "redirect_uri", 0, 0, 255, &back);
    if (err == CM_OK) {
        tokens_hash(secret, hash);
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        err = store_oauth2_client_by_client_id(rq->w->pg, client_id, hex, &c);
        if (err == CM_ENOTFOUND)
            err = cm_fail(rq, CM_EUNAUTH, "client authentication failed");
    }
    if (err == CM_OK && back) {
        uris = json_loads(c->redirect_uris, 0, NULL);
        if (!json_is_string(json_array_get(uris, 0)) ||
            strcmp(back, json_string_value(json_array_get(uris, 0))))
            err = cm_fail_at(rq, CM_EINVAL, "/redirect_uri", NULL,
                             "redirect_uri is not the one the code was sent to");
    }
    if (err == CM_OK) {
        tokens_hash(code, hash);
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        err = store_oauth2_code_take(rq->w->pg, hex, c->id, user_id);
        if (err == CM_ENOTFOUND)
            err = cm_fail_at(rq, CM_EINVAL, "/code", NULL, "the code is unknown, used or expired");
    }
    if (err == CM_OK)
        err = sso_login(rq, user_id, &resp);
    if (err == CM_OK)
        auth_respond(rq, out, resp);
    json_decref(uris);
    json_decref(body);
    free(c);
    return err;
}
