/* jose.h: the JOSE pieces identity's two JWT verifiers share (OpenID
 * Connect ID tokens, oidc_jwt.c; service-account tokens,
 * internal_auth_jwt.c): base64url, JWK public keys, RS256 and ES256
 * signatures and the aud claim, on OpenSSL. Pure: no I/O; nothing logged. */
#ifndef IDENTITY_JOSE_H
#define IDENTITY_JOSE_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

/* base64url (no padding) of s[0..n) into a new buffer (caller frees) of
 * *out_len bytes; NULL when malformed. */
unsigned char *jose_b64url(const char *s, size_t n, size_t *out_len);

/* The JSON object of base64url text s[0..n) (caller json_decref); NULL
 * when malformed or not an object. */
json_t *jose_b64url_json(const char *s, size_t n);

/* The public key (caller EVP_PKEY_free) of jwk for alg: an RSA key for
 * "RS256", a P-256 key for "ES256"; NULL when jwk is not one. With strict,
 * also NULL for a jwk whose own "alg" is another one, or an RSA key
 * shorter than 2048 bits. */
EVP_PKEY *jose_jwk_key(const json_t *jwk, const char *alg, int strict);

/* 1 when sig (sig_len bytes, JOSE form: ES256 is r || s) verifies over
 * data[0..len) with key for alg ("RS256" or "ES256"), else 0. */
int jose_sig_ok(EVP_PKEY *key, const char *alg, const unsigned char *data, size_t len,
                const unsigned char *sig, size_t sig_len);

/* 1 when aud (a string or an array of strings) holds audience. */
int jose_aud_has(const json_t *aud, const char *audience);

#endif
