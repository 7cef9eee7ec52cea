/* oidc_jwt.c: ID token verification with OpenSSL (oidc_jwt.h), on the JOSE
 * pieces it shares with internal_auth_jwt.c (jose.h). */
#include "oidc_jwt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose.h"

static cm_err refuse(char *detail, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cm_err refuse(char *detail, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
    return CM_EUNAUTH;
}

/* The jwk of jwks for kid (the only signing key when kid is NULL). */
static const json_t *jwks_find(const json_t *jwks, const char *kid, const char *kty)
{
    const json_t *keys = json_object_get(jwks, "keys"), *k, *found = NULL;
    size_t i;
    int n = 0;

    json_array_foreach(keys, i, k)
    {
        const char *use = json_string_value(json_object_get(k, "use"));
        const char *t = json_string_value(json_object_get(k, "kty"));
        const char *id = json_string_value(json_object_get(k, "kid"));
        if ((use && strcmp(use, "sig")) || !t || strcmp(t, kty))
            continue;
        if (kid ? (id && !strcmp(id, kid)) : 1) {
            found = k;
            n++;
        }
    }
    return n == 1 ? found : NULL;
}

static void copy_claim(const json_t *claims, const char *name, char *dst, size_t cap)
{
    const char *s = json_string_value(json_object_get(claims, name));
    snprintf(dst, cap, "%s", s ? s : "");
}

cm_err oidc_id_token_verify(const char *token, const json_t *jwks, const char *issuer,
                            const char *client_id, const char *nonce, int64_t now,
                            struct oidc_claims *out, char *detail, size_t cap)
{
    const char *dot1, *dot2, *alg, *kid, *s;
    json_t *header = NULL, *claims = NULL, *aud, *exp, *iat, *ev;
    unsigned char *sig = NULL;
    size_t sig_len = 0, len = token ? strlen(token) : 0;
    const json_t *jwk;
    EVP_PKEY *key = NULL;
    cm_err err = CM_OK;
    int es256;

    dot1 = token ? strchr(token, '.') : NULL;
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2 || strchr(dot2 + 1, '.') || len > OIDC_JWT_MAX)
        return refuse(detail, cap, "the id token is not a signed JWT");
    header = jose_b64url_json(token, (size_t)(dot1 - token));
    claims = jose_b64url_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    sig = jose_b64url(dot2 + 1, strlen(dot2 + 1), &sig_len);
    if (!header || !claims || !sig) {
        err = refuse(detail, cap, "the id token is not a signed JWT");
        goto done;
    }
    alg = json_string_value(json_object_get(header, "alg"));
    kid = json_string_value(json_object_get(header, "kid"));
    if (!alg || (strcmp(alg, "RS256") && strcmp(alg, "ES256"))) {
        err = refuse(detail, cap, "the id token's algorithm is not RS256 or ES256");
        goto done;
    }
    es256 = !strcmp(alg, "ES256");
    jwk = jwks_find(jwks, kid, es256 ? "EC" : "RSA");
    key = jwk ? jose_jwk_key(jwk, alg, 0) : NULL;
    if (!key) {
        err = refuse(detail, cap, "the id token's key is not among the provider's keys");
        goto done;
    }
    if (!jose_sig_ok(key, alg, (const unsigned char *)token, (size_t)(dot2 - token), sig,
                     sig_len)) {
        err = refuse(detail, cap, "the id token's signature is wrong");
        goto done;
    }
    s = json_string_value(json_object_get(claims, "iss"));
    if (!s || strcmp(s, issuer)) {
        err = refuse(detail, cap, "the id token's issuer is not the provider");
        goto done;
    }
    aud = json_object_get(claims, "aud");
    if (!jose_aud_has(aud, client_id)) {
        err = refuse(detail, cap, "the id token is not for this client");
        goto done;
    }
    s = json_string_value(json_object_get(claims, "azp"));
    if (json_is_array(aud) && json_array_size(aud) > 1 && (!s || strcmp(s, client_id))) {
        err = refuse(detail, cap, "the id token's authorized party is not this client");
        goto done;
    }
    exp = json_object_get(claims, "exp");
    iat = json_object_get(claims, "iat");
    if (!json_is_number(exp) || json_number_value(exp) + OIDC_CLOCK_SKEW_S < (double)now) {
        err = refuse(detail, cap, "the id token has expired");
        goto done;
    }
    if (iat && (!json_is_number(iat) || json_number_value(iat) > (double)now + OIDC_CLOCK_SKEW_S)) {
        err = refuse(detail, cap, "the id token is issued in the future");
        goto done;
    }
    s = json_string_value(json_object_get(claims, "nonce"));
    if (!s || strcmp(s, nonce)) {
        err = refuse(detail, cap, "the id token's nonce is not the one sent");
        goto done;
    }
    s = json_string_value(json_object_get(claims, "sub"));
    if (!s || !*s || strlen(s) >= sizeof out->sub) {
        err = refuse(detail, cap, "the id token has no usable subject");
        goto done;
    }
    memset(out, 0, sizeof *out);
    copy_claim(claims, "sub", out->sub, sizeof out->sub);
    copy_claim(claims, "email", out->email, sizeof out->email);
    copy_claim(claims, "given_name", out->given_name, sizeof out->given_name);
    copy_claim(claims, "family_name", out->family_name, sizeof out->family_name);
    ev = json_object_get(claims, "email_verified");
    out->email_verified = json_is_true(ev) || (json_is_string(ev) && !strcmp(json_string_value(ev), "true"));
done:
    EVP_PKEY_free(key);
    free(sig);
    json_decref(header);
    json_decref(claims);
    return err;
}
