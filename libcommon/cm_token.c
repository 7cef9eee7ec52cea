/* cm_token.c: Ed25519-signed JWTs for access and id tokens (cm_token.h). */
#include "cm_token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* base64url of data[0..len) as a new string. */
static char *b64(const void *data, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, B64);
    char *out = cm_xmalloc(cap);
    sodium_bin2base64(out, cap, data, len, B64);
    return out;
}

/* Decodes base64url src[0..n) into a new NUL-terminated buffer; its length
 * to *out_len. NULL when malformed. */
static unsigned char *unb64(const char *src, size_t n, size_t *out_len)
{
    unsigned char *out = cm_xmalloc(n + 1);
    size_t len = 0;
    if (sodium_base642bin(out, n + 1, src, n, NULL, &len, NULL, B64) != 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    *out_len = len;
    return out;
}

static const char *const standard[] = {"typ", "sub", "sid", "org", "imp",
                                       "roles", "iat", "exp", "gen", NULL};

static int is_standard(const char *key)
{
    for (const char *const *s = standard; *s; s++)
        if (!strcmp(*s, key))
            return 1;
    return 0;
}

char *cm_token_sign(const struct cm_token_claims *c, const json_t *extra, const char *kid,
                    const unsigned char sk[CM_TOKEN_SK_BYTES])
{
    json_t *header, *claims, *roles, *value;
    char *h = NULL, *p = NULL, *hb = NULL, *pb = NULL, *sb = NULL, *out = NULL;
    const char *key;
    unsigned char sig[crypto_sign_BYTES];
    size_t signed_len;

    header = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "typ", "JWT", "kid", kid);
    roles = json_array();
    for (int i = 0; i < c->nroles && i < CM_TOKEN_MAX_ROLES; i++)
        json_array_append_new(roles, json_string(c->roles[i]));
    claims = json_pack("{s:s, s:s, s:s, s:o, s:I, s:I}", "typ", c->typ, "sub", c->sub, "sid",
                       c->sid, "roles", roles, "iat", (json_int_t)c->iat, "exp",
                       (json_int_t)c->exp);
    if (!header || !claims)
        goto done;
    if (c->org[0])
        json_object_set_new(claims, "org", json_string(c->org));
    if (c->imp[0])
        json_object_set_new(claims, "imp", json_string(c->imp));
    if (c->gen > 0)
        json_object_set_new(claims, "gen", json_integer((json_int_t)c->gen));
    if (extra)
        json_object_foreach((json_t *)extra, key, value)
        {
            if (!is_standard(key))
                json_object_set(claims, key, value);
        }
    h = json_dumps(header, JSON_COMPACT);
    p = json_dumps(claims, JSON_COMPACT);
    if (!h || !p)
        goto done;
    hb = b64(h, strlen(h));
    pb = b64(p, strlen(p));
    signed_len = strlen(hb) + 1 + strlen(pb);
    out = cm_xmalloc(signed_len + 1 + sodium_base64_ENCODED_LEN(sizeof sig, B64));
    snprintf(out, signed_len + 1, "%s.%s", hb, pb);
    crypto_sign_detached(sig, NULL, (const unsigned char *)out, signed_len, sk);
    sb = b64(sig, sizeof sig);
    out[signed_len] = '.';
    strcpy(out + signed_len + 1, sb);
    if (strlen(out) > CM_TOKEN_MAX_LEN) {
        free(out);
        out = NULL;
    }
done:
    json_decref(header);
    json_decref(claims);
    free(h);
    free(p);
    free(hb);
    free(pb);
    free(sb);
    return out;
}

/* The three dot-separated parts of a token. */
struct parts {
    const char *h, *p, *s;
    size_t hn, pn, sn;
};

static int split(const char *token, struct parts *out)
{
    const char *d1, *d2;
    size_t n = strnlen(token, CM_TOKEN_MAX_LEN + 1);

    if (n == 0 || n > CM_TOKEN_MAX_LEN)
        return -1;
    d1 = strchr(token, '.');
    d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || strchr(d2 + 1, '.'))
        return -1;
    out->h = token;
    out->hn = (size_t)(d1 - token);
    out->p = d1 + 1;
    out->pn = (size_t)(d2 - d1 - 1);
    out->s = d2 + 1;
    out->sn = n - (size_t)(d2 + 1 - token);
    return out->hn && out->pn && out->sn ? 0 : -1;
}

/* Decodes a base64url JSON object part; NULL when it is not one. */
static json_t *part_json(const char *src, size_t n)
{
    size_t len;
    unsigned char *raw = unb64(src, n, &len);
    json_t *j = raw ? json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free(raw);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

cm_err cm_token_kid(const char *token, char *kid)
{
    struct parts pt;
    json_t *h, *alg, *k;
    cm_err err = CM_EUNAUTH;

    if (split(token, &pt) != 0 || !(h = part_json(pt.h, pt.hn)))
        return CM_EUNAUTH;
    alg = json_object_get(h, "alg");
    k = json_object_get(h, "kid");
    if (json_is_string(alg) && !strcmp(json_string_value(alg), "EdDSA") && json_is_string(k) &&
        json_string_length(k) > 0 && json_string_length(k) < CM_TOKEN_KID_MAX) {
        memcpy(kid, json_string_value(k), json_string_length(k) + 1);
        err = CM_OK;
    }
    json_decref(h);
    return err;
}

/* Copies string member name of obj into dst (cap bytes); "" when absent.
 * -1 when present but not a string or too long. */
static int copy_str(const json_t *obj, const char *name, char *dst, size_t cap, int required)
{
    json_t *v = json_object_get(obj, name);
    dst[0] = '\0';
    if (!v)
        return required ? -1 : 0;
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return -1;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int decode_claims(const json_t *j, struct cm_token_claims *c)
{
    json_t *roles = json_object_get(j, "roles"), *iat = json_object_get(j, "iat"),
           *exp = json_object_get(j, "exp"), *gen = json_object_get(j, "gen"), *r;
    size_t i;

    memset(c, 0, sizeof *c);
    if (copy_str(j, "typ", c->typ, sizeof c->typ, 1) || copy_str(j, "sub", c->sub, sizeof c->sub, 1) ||
        copy_str(j, "sid", c->sid, sizeof c->sid, 0) || copy_str(j, "org", c->org, sizeof c->org, 0) ||
        copy_str(j, "imp", c->imp, sizeof c->imp, 0))
        return -1;
    if (!json_is_integer(iat) || !json_is_integer(exp))
        return -1;
    c->iat = json_integer_value(iat);
    c->exp = json_integer_value(exp);
    if (gen && (!json_is_integer(gen) || json_integer_value(gen) < 0))
        return -1;
    c->gen = gen ? json_integer_value(gen) : 0;
    if (roles && (!json_is_array(roles) || json_array_size(roles) > CM_TOKEN_MAX_ROLES))
        return -1;
    json_array_foreach(roles, i, r)
    {
        if (!json_is_string(r) || json_string_length(r) >= sizeof c->roles[0])
            return -1;
        memcpy(c->roles[c->nroles++], json_string_value(r), json_string_length(r) + 1);
    }
    return 0;
}

cm_err cm_token_verify(const char *token, const unsigned char pk[CM_TOKEN_PK_BYTES], int64_t now,
                       struct cm_token_claims *out)
{
    struct parts pt;
    unsigned char *sig;
    size_t siglen;
    json_t *claims;
    struct cm_token_claims c;
    int ok;

    if (split(token, &pt) != 0)
        return CM_EUNAUTH;
    sig = unb64(pt.s, pt.sn, &siglen);
    if (!sig)
        return CM_EUNAUTH;
    ok = siglen == crypto_sign_BYTES &&
         crypto_sign_verify_detached(sig, (const unsigned char *)token, pt.hn + 1 + pt.pn, pk) == 0;
    free(sig);
    if (!ok)
        return CM_EUNAUTH;
    claims = part_json(pt.p, pt.pn);
    if (!claims)
        return CM_EUNAUTH;
    ok = decode_claims(claims, &c) == 0 && now < c.exp && c.iat <= now + 60;
    json_decref(claims);
    if (!ok)
        return CM_EUNAUTH;
    *out = c;
    return CM_OK;
}
