/* internal_auth.c: internal-auth v1 and v2 (internal_auth.h): the JWKS
 * (INTERNAL_AUTH_JWKS, else the file INTERNAL_AUTH_JWKS_FILE read at each
 * use, so that a rotated key set needs no restart), the verification, the
 * service-account user and its session. Tokens are never logged. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "handlers.h"
#include "identity_state.h"
#include "internal_auth.h"
#include "internal_auth_jwt.h"
#include "store_internal_auth.h"
#include "tokens.h"

#define JWKS_MAX_BYTES (256 * 1024)
#define SESSION_TTL_S 3600 /* an exchange's session (refresh) lasts at most this */

/* The configured JWKS text into *out (caller frees); CM_EUNAUTH with a
 * detail when there is none (no file), CM_EUNAVAIL when it is too large. */
static cm_err jwks_load(struct cm_req *rq, char **out)
{
    const struct cm_config *cfg = rq->w->cfg;
    FILE *f;
    char *buf;
    size_t n;

    if (cfg->internal_auth_jwks && cfg->internal_auth_jwks[0]) {
        *out = cm_xstrdup(cfg->internal_auth_jwks);
        return CM_OK;
    }
    f = cfg->internal_auth_jwks_file && cfg->internal_auth_jwks_file[0]
            ? fopen(cfg->internal_auth_jwks_file, "r")
            : NULL;
    /* no key set: no token can verify (a set that is there but unusable
     * is the server's fault: 503, below) */
    if (!f)
        return cm_fail(rq, CM_EUNAUTH, "no key is configured to verify service-account tokens");
    buf = cm_xmalloc(JWKS_MAX_BYTES + 1);
    n = fread(buf, 1, JWKS_MAX_BYTES + 1, f);
    fclose(f);
    if (n > JWKS_MAX_BYTES) {
        free(buf);
        return cm_fail(rq, CM_EUNAVAIL, "internal-auth is misconfigured (JWKS too large)");
    }
    buf[n] = '\0';
    *out = buf;
    return CM_OK;
}

/* Verifies token; the service account into *sa. 401 on failure, at
 * pointer (503 for a JWKS that is there but unusable). */
static cm_err verify(struct cm_req *rq, const char *token, const char *pointer,
                     struct sa_identity *sa)
{
    const struct cm_config *cfg = rq->w->cfg;
    char *jwks = NULL, why[160];
    cm_err err = jwks_load(rq, &jwks);

    if (err != CM_OK)
        return err;
    err = internal_auth_verify(token, jwks, cfg->internal_auth_audience, cfg->internal_auth_issuer,
                               (int64_t)time(NULL), sa, why, sizeof why);
    free(jwks);
    if (err == CM_EUNAVAIL)
        return cm_fail(rq, err, "internal-auth is misconfigured: %s", why);
    if (err != CM_OK) {
        cm_info("internal-auth refused: %s", why);
        return cm_fail_at(rq, err, pointer, NULL, "%s", why);
    }
    return CM_OK;
}

/* The service account's user and a new session of it: the login response
 * into *resp (LoginInfo and tokens). */
static cm_err exchange(struct cm_req *rq, const struct sa_identity *sa, json_t **resp)
{
    PGconn *pg = rq->w->pg;
    char username[600], id[40];
    struct session_new sn = {0};
    int created = 0, enabled = 0;
    cm_err err;

    snprintf(username, sizeof username, "system:serviceaccount:%s:%s", sa->ns, sa->name);
    if (strlen(username) > 255)
        return cm_fail(rq, CM_EINVAL, "the service account's name is too long");
    err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = store_service_user(pg, username, id, &created, &enabled);
    if (err == CM_OK && created)
        err = users_event(pg, id, "created");
    if (err == CM_OK && !enabled)
        err = cm_fail(rq, CM_EDENIED, "this service account's identity is disabled");
    if (err == CM_OK) {
        sn.user_id = id;
        sn.interactive = 0;
        sn.access_ttl_s = rq->w->cfg->internal_auth_token_ttl_s;
        sn.refresh_ttl_s = SESSION_TTL_S;
        sn.activity = "login";
        err = tokens_issue(&identity_state_of(rq->w)->signing, pg, &sn, resp);
        if (err == CM_ENOTFOUND)
            err = cm_fail(rq, CM_EDENIED, "this service account's identity is disabled");
    }
    err = cm_pg_end(pg, err);
    if (err == CM_OK)
        cm_info("internal-auth: service account %s/%s signed in%s", sa->ns, sa->name,
                created ? " (account made)" : "");
    return err;
}

cm_err internal_auth_v1(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {
        "namespace", "sa-name", "sa-token-sha512", "self-token-hash", "self-token-name",
        "sa-token",  NULL};
    const char *ns = NULL, *name = NULL, *sha = NULL, *token = NULL, *ignored = NULL;
    unsigned char digest[crypto_hash_sha512_BYTES];
    char hex[crypto_hash_sha512_BYTES * 2 + 1], lower[sizeof hex];
    struct sa_identity sa;
    json_t *body = NULL, *resp = NULL, *slim = NULL;
    cm_err err = cm_req_json_object(rq, allowed, &body);

    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "namespace", 1, 0, 512, &ns);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "sa-name", 1, 0, 512, &name);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "sa-token-sha512", 1, 0, 512, &sha);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "self-token-hash", 0, 1, 512, &ignored);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "self-token-name", 0, 1, 512, &ignored);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "sa-token", 1, 0, SA_TOKEN_MAX, &token);
    if (err == CM_OK) {
        crypto_hash_sha512(digest, (const unsigned char *)token, strlen(token));
        sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
        snprintf(lower, sizeof lower, "%s", sha);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (strcmp(lower, hex) != 0)
            err = cm_fail_at(rq, CM_EUNAUTH, "/sa-token-sha512", NULL,
                             "sa-token-sha512 is not the SHA-512 of sa-token");
    }
    if (err == CM_OK)
        err = verify(rq, token, "/sa-token", &sa);
    if (err == CM_OK && (strcmp(sa.ns, ns) != 0 || strcmp(sa.name, name) != 0))
        err = cm_fail(rq, CM_EUNAUTH, "the token is not the service account named");
    json_decref(body);
    if (err == CM_OK)
        err = exchange(rq, &sa, &resp);
    if (err != CM_OK)
        return err;
    /* the seed's v1 answer: the tokens and who, without the LoginInfo rest */
    slim = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "access-token",
        json_object_get(resp, "access-token"), "id-token", json_object_get(resp, "id-token"),
        "refresh-token", json_object_get(resp, "refresh-token"), "expires-in",
        json_object_get(resp, "expires-in"), "token-type", json_object_get(resp, "token-type"),
        "user-id", json_object_get(resp, "user-id"), "username", json_object_get(resp, "username"),
        "email", json_object_get(resp, "email"));
    json_decref(resp);
    if (!slim)
        return cm_fail(rq, CM_EINTERNAL, "the answer could not be built");
    cm_resp_json(out, rq, 201, slim);
    return CM_OK;
}

cm_err internal_auth_v2(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"token", NULL};
    const char *token = NULL;
    struct sa_identity sa;
    json_t *doc = NULL, *attrs, *resp = NULL, *res;
    cm_err err = cm_req_jsonapi(rq, "internal-auths", NULL, allowed, &doc, &attrs);

    if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "token", 1, 0, SA_TOKEN_MAX, &token);
    if (err == CM_OK)
        err = verify(rq, token, "/data/attributes/token", &sa);
    json_decref(doc);
    if (err == CM_OK)
        err = exchange(rq, &sa, &resp);
    if (err != CM_OK)
        return err;
    res = cm_jsonapi_resource(
        "internal-auths", json_string_value(json_object_get(resp, "session-id")),
        json_pack("{s:O}", "access-token", json_object_get(resp, "access-token")));
    json_decref(resp);
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(res));
    return CM_OK;
}
