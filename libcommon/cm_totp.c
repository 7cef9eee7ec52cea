/* cm_totp.c: RFC 4648 base32 and RFC 6238 TOTP with HMAC-SHA1 (cm_totp.h).
 * No clock and no state: callers pass the time and the last used step. */
#include "cm_totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t cm_base32_len(size_t n, int pad)
{
    if (pad)
        return (n + 4) / 5 * 8;
    return (n * 8 + 4) / 5;
}

cm_err cm_base32_encode(const uint8_t *in, size_t len, int pad, char *out, size_t cap)
{
    size_t need = cm_base32_len(len, pad), o = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (cap == 0)
        return CM_EINVAL;
    if (cap < need + 1) {
        out[0] = '\0';
        return CM_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = alphabet[(acc << (5 - bits)) & 31];
    while (o < need)
        out[o++] = '=';
    out[o] = '\0';
    return CM_OK;
}

/* Value of base32 character c (either case), -1 when outside the alphabet. */
static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

cm_err cm_base32_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t len = strlen(in), n = len, o = 0;
    uint32_t acc = 0;
    int bits = 0;

    while (n > 0 && in[n - 1] == '=')
        n--;
    if (len - n > 6 || (len != n && len % 8 != 0))
        return CM_EINVAL; /* padding longer than any group, or not to a group */
    switch (n % 8) {
    case 1:
    case 3:
    case 6:
        return CM_EINVAL; /* no byte count gives these lengths */
    default:
        break;
    }
    if (n * 5 / 8 > cap)
        return CM_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int v = b32_value(in[i]);
        if (v < 0)
            return CM_EINVAL;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return CM_EINVAL; /* the unused low bits of the last character */
    *out_len = o;
    return CM_OK;
}

int64_t cm_totp_step(int64_t t)
{
    int64_t q = t / CM_TOTP_STEP_S;
    return (t % CM_TOTP_STEP_S < 0) ? q - 1 : q;
}

cm_err cm_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits, uint32_t *out)
{
    static const uint32_t mod[] = {1000000u, 10000000u, 100000000u};
    uint8_t msg[8], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    uint32_t bin;
    int off;

    if (digits < 6 || digits > 8)
        return CM_EINVAL;
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)(counter & 0xff);
    if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, md, &mdlen) || mdlen != 20)
        return CM_EINTERNAL;
    /* Dynamic truncation, RFC 4226 §5.3. */
    off = md[19] & 0x0f;
    bin = ((uint32_t)(md[off] & 0x7f) << 24) | ((uint32_t)md[off + 1] << 16) |
          ((uint32_t)md[off + 2] << 8) | md[off + 3];
    *out = bin % mod[digits - 6];
    return CM_OK;
}

cm_err cm_totp_code(const uint8_t *key, size_t keylen, int64_t step, int digits, char *out)
{
    uint32_t v;
    cm_err err = step < 0 ? CM_EINVAL : cm_hotp(key, keylen, (uint64_t)step, digits, &v);

    if (err != CM_OK)
        return err;
    out[digits] = '\0';
    for (int i = digits - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
    return CM_OK;
}

int cm_totp_verify(const uint8_t *key, size_t keylen, const char *code, int64_t t,
                   int64_t after_step, int64_t *out_step)
{
    char want[CM_TOTP_CODE_MAX];
    int64_t now = cm_totp_step(t);

    if (!code || strlen(code) != CM_TOTP_DIGITS)
        return 0;
    for (int i = 0; i < CM_TOTP_DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    for (int64_t s = now - CM_TOTP_WINDOW; s <= now + CM_TOTP_WINDOW; s++) {
        if (s <= after_step || s < 0)
            continue;
        if (cm_totp_code(key, keylen, s, CM_TOTP_DIGITS, want) != CM_OK)
            return 0;
        if (CRYPTO_memcmp(want, code, CM_TOTP_DIGITS) == 0) {
            *out_step = s;
            return 1;
        }
    }
    return 0;
}
