/* tokens.c: refresh tokens, signed tokens and the login response
 * (tokens.h). */
#include "tokens.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_token.h"

void tokens_hash(const char *text, uint8_t hash[STORE_HASH_BYTES])
{
    crypto_generichash(hash, STORE_HASH_BYTES, (const unsigned char *)text, strlen(text), NULL, 0);
}

void tokens_refresh_new(char token[REFRESH_TOKEN_LEN + 1], uint8_t hash[STORE_HASH_BYTES])
{
    unsigned char raw[REFRESH_TOKEN_BYTES];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, REFRESH_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    tokens_hash(token, hash);
}

json_t *tokens_login_info(const struct login_rec *r)
{
    json_t *orgs = json_loads(r->organizations, 0, NULL), *info, *imp = json_null();

    if (!json_is_array(orgs)) {
        json_decref(orgs);
        return NULL;
    }
    if (r->impersonator_id[0])
        imp = json_pack("{s:s, s:s, s:o}", "id", r->impersonator_id, "email",
                        r->impersonator_email, "session-id",
                        cm_json_str_or_null(r->impersonator_session_id));
    info = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:O, s:o, s:s, s:s, s:b, s:s, s:s, s:n, s:o}",
                     "email", r->email, "first-name", r->first_name, "last-name", r->last_name,
                     "locale", r->locale, "locale-explicit", r->locale_explicit,
                     "multi-organization", json_array_size(orgs) > 1, "organizations", orgs,
                     "organization-id", cm_json_str_or_null(r->organization_id), "session-id",
                     r->session_id, "tz", r->tz, "tz-explicit", r->tz_explicit, "user-id",
                     r->user_id, "username", r->username, "individual", "impersonated-by", imp);
    json_decref(orgs);
    return info;
}

/* The role names of r into c (platform-admin added for the platform
 * admin). CM_EINTERNAL when the roles column is malformed. */
static cm_err claims_roles(const struct login_rec *r, struct cm_token_claims *c)
{
    json_t *roles = json_loads(r->roles, 0, NULL), *v;
    size_t i;

    if (!json_is_array(roles)) {
        json_decref(roles);
        return CM_EINTERNAL;
    }
    c->nroles = 0;
    json_array_foreach(roles, i, v)
    {
        if (!json_is_string(v))
            continue;
        if (c->nroles >= CM_TOKEN_MAX_ROLES - 1) {
            cm_warn("user has more than %d roles in one organization; tokens carry the first",
                    CM_TOKEN_MAX_ROLES - 1);
            break;
        }
        snprintf(c->roles[c->nroles++], sizeof c->roles[0], "%s", json_string_value(v));
    }
    json_decref(roles);
    if (r->is_platform_admin)
        snprintf(c->roles[c->nroles++], sizeof c->roles[0], "%s", "platform-admin");
    return CM_OK;
}

/* The claims of an access or id token of session r at unix time now (typ
 * left ""). */
static cm_err claims_of(const struct login_rec *r, int64_t now, struct cm_token_claims *c)
{
    cm_err err;

    memset(c, 0, sizeof *c);
    err = claims_roles(r, c);
    if (err != CM_OK)
        return err;
    snprintf(c->sub, sizeof c->sub, "%s", r->user_id);
    snprintf(c->sid, sizeof c->sid, "%s", r->session_id);
    snprintf(c->org, sizeof c->org, "%s", r->organization_id);
    snprintf(c->imp, sizeof c->imp, "%s", r->impersonator_id);
    /* revocation is by generation, not time: a token issued in the second
     * of a revocation is refused or accepted by its gen alone */
    c->iat = now;
    c->gen = r->token_gen;
    c->exp = c->iat + r->access_ttl_s;
    if (r->expires_at > now && c->exp > r->expires_at)
        c->exp = r->expires_at;
    return CM_OK;
}

char *tokens_access(const struct signing_key *key, const struct login_rec *r, const json_t *extra,
                    int64_t now, int64_t *exp_out)
{
    struct cm_token_claims c;

    if (claims_of(r, now, &c) != CM_OK)
        return NULL;
    snprintf(c.typ, sizeof c.typ, "access");
    *exp_out = c.exp;
    return cm_token_sign(&c, extra, key->kid, key->sk);
}

cm_err tokens_response(const struct signing_key *key, const struct login_rec *r,
                       const char *refresh_token, int64_t now, json_t **out)
{
    struct cm_token_claims c;
    json_t *body = NULL, *extra = NULL;
    char *access = NULL, *id = NULL;
    cm_err err = claims_of(r, now, &c);

    if (err != CM_OK)
        return err;
    snprintf(c.typ, sizeof c.typ, "access");
    access = cm_token_sign(&c, NULL, key->kid, key->sk);
    extra = json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", r->email, "username", r->username,
                      "given_name", r->first_name, "family_name", r->last_name, "locale",
                      r->locale);
    snprintf(c.typ, sizeof c.typ, "id");
    if (extra)
        id = cm_token_sign(&c, extra, key->kid, key->sk);
    body = tokens_login_info(r);
    if (!access || !id || !body) {
        err = CM_EINTERNAL;
        json_decref(body);
        goto done;
    }
    json_object_set_new(body, "access-token", json_string(access));
    json_object_set_new(body, "id-token", json_string(id));
    if (refresh_token)
        json_object_set_new(body, "refresh-token", json_string(refresh_token));
    json_object_set_new(body, "expires-in", json_integer((json_int_t)(c.exp - now)));
    json_object_set_new(body, "token-type", json_string("Bearer"));
    json_object_set_new(body, "redirect-url", json_null());
    *out = body;
done:
    json_decref(extra);
    free(access);
    free(id);
    return err;
}

cm_err tokens_issue(const struct signing_key *key, PGconn *pg, const struct session_new *sn,
                    json_t **out)
{
    char token[REFRESH_TOKEN_LEN + 1];
    uint8_t hash[STORE_HASH_BYTES];
    struct login_rec rec = {0};
    cm_err err;

    tokens_refresh_new(token, hash);
    err = store_session_create(pg, sn, hash, &rec);
    if (err == CM_OK)
        err = tokens_response(key, &rec, token, (int64_t)time(NULL), out);
    store_login_free(&rec);
    sodium_memzero(token, sizeof token);
    return err;
}
