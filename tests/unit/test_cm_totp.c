/* test_cm_totp.c: base32 (RFC 4648 §10 vectors), HOTP/TOTP (RFC 6238
 * appendix B, SHA1), the ±1 step window and replay refusal. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "cm_totp.h"

static const uint8_t rfc_key[] = "12345678901234567890"; /* 20 bytes, SHA1 seed */
#define RFC_KEYLEN 20

/* By value: Criterion copies parameters into its worker processes. */
struct b32_vector {
    char plain[8];
    char padded[20];
    char bare[20];
};

ParameterizedTestParameters(cm_totp, base32_vectors)
{
    static struct b32_vector v[] = {
        {"", "", ""},
        {"f", "MY======", "MY"},
        {"fo", "MZXQ====", "MZXQ"},
        {"foo", "MZXW6===", "MZXW6"},
        {"foob", "MZXW6YQ=", "MZXW6YQ"},
        {"fooba", "MZXW6YTB", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
    };
    return cr_make_param_array(struct b32_vector, v, sizeof v / sizeof v[0]);
}

ParameterizedTest(struct b32_vector *v, cm_totp, base32_vectors)
{
    char enc[32];
    uint8_t dec[16];
    size_t n = 99, len = strlen(v->plain);

    cr_assert(eq(int, cm_base32_encode((const uint8_t *)v->plain, len, 1, enc, sizeof enc), CM_OK));
    cr_assert(eq(str, enc, v->padded));
    cr_assert(eq(sz, cm_base32_len(len, 1), strlen(v->padded)));
    cr_assert(eq(int, cm_base32_encode((const uint8_t *)v->plain, len, 0, enc, sizeof enc), CM_OK));
    cr_assert(eq(str, enc, v->bare));
    cr_assert(eq(sz, cm_base32_len(len, 0), strlen(v->bare)));
    for (int pad = 0; pad <= 1; pad++) {
        cr_assert(eq(int, cm_base32_decode(pad ? v->padded : v->bare, dec, sizeof dec, &n), CM_OK));
        cr_assert(eq(sz, n, len));
        cr_assert(memcmp(dec, v->plain, len) == 0);
    }
}

Test(cm_totp, base32_decodes_lower_case_and_round_trips_secrets)
{
    uint8_t secret[CM_TOTP_SECRET_BYTES], back[CM_TOTP_SECRET_BYTES];
    char text[40];
    size_t n = 0;

    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (uint8_t)(i * 37 + 11);
    cr_assert(eq(int, cm_base32_encode(secret, sizeof secret, 0, text, sizeof text), CM_OK));
    cr_assert(eq(sz, strlen(text), 32));
    for (char *p = text; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    cr_assert(eq(int, cm_base32_decode(text, back, sizeof back, &n), CM_OK));
    cr_assert(eq(sz, n, sizeof secret));
    cr_assert(memcmp(back, secret, sizeof secret) == 0);
}

Test(cm_totp, base32_rejects_bad_input)
{
    static const char *const bad[] = {
        "MY1=====",  /* '1' is not in the alphabet */
        "M",         /* 1 char: no byte count gives it */
        "MZX",       /* 3 chars */
        "MZXW6Y",    /* 6 chars */
        "MZ======",  /* leftover bits not zero ("MY" is canonical) */
        "MY=",       /* padding not to a group of 8 */
        "M=Y=====",  /* padding in the middle */
        "MY ======", /* a space */
    };
    uint8_t out[16];
    size_t n;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(eq(int, cm_base32_decode(bad[i], out, sizeof out, &n), CM_EINVAL), "%s", bad[i]);
    cr_assert(eq(int, cm_base32_decode("MZXW6YTBOI", out, 5, &n), CM_EINVAL)); /* 6 bytes > cap */
}

Test(cm_totp, base32_encode_refuses_short_buffers)
{
    char out[9]; /* "fooba" is 8 characters and the NUL */

    cr_assert(
        eq(int, cm_base32_encode((const uint8_t *)"foobar", 6, 1, out, sizeof out), CM_EINVAL));
    cr_assert(eq(str, out, ""));
    cr_assert(eq(int, cm_base32_encode((const uint8_t *)"fooba", 5, 1, out, sizeof out), CM_OK));
    cr_assert(eq(str, out, "MZXW6YTB"));
    cr_assert(eq(int, cm_base32_encode((const uint8_t *)"fooba", 5, 1, out, 8), CM_EINVAL),
              "no room for the NUL");
}

/* RFC 6238 appendix B, SHA1 rows: time and 8-digit code. */
struct rfc_vector {
    int64_t t;
    char code8[9];
};

ParameterizedTestParameters(cm_totp, rfc6238_sha1_vectors)
{
    static struct rfc_vector v[] = {
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
    };
    return cr_make_param_array(struct rfc_vector, v, sizeof v / sizeof v[0]);
}

ParameterizedTest(struct rfc_vector *v, cm_totp, rfc6238_sha1_vectors)
{
    char code[CM_TOTP_CODE_MAX];
    int64_t step = -1;

    cr_assert(eq(int, cm_totp_code(rfc_key, RFC_KEYLEN, cm_totp_step(v->t), 8, code), CM_OK));
    cr_assert(eq(str, code, v->code8));
    /* 6 digits: the same truncated value modulo 10^6, i.e. the last 6. */
    cr_assert(eq(int, cm_totp_code(rfc_key, RFC_KEYLEN, cm_totp_step(v->t), 6, code), CM_OK));
    cr_assert(eq(str, code, v->code8 + 2));
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, v->code8 + 2, v->t, -1, &step), 1));
    cr_assert(eq(i64, step, cm_totp_step(v->t)));
}

Test(cm_totp, hotp_rfc4226_vectors_and_digit_limits)
{
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    uint32_t v;

    for (uint64_t c = 0; c < 10; c++) {
        cr_assert(eq(int, cm_hotp(rfc_key, RFC_KEYLEN, c, 6, &v), CM_OK));
        cr_assert(eq(u32, v, want[c]), "counter %d", (int)c);
    }
    cr_assert(eq(int, cm_hotp(rfc_key, RFC_KEYLEN, 0, 5, &v), CM_EINVAL));
    cr_assert(eq(int, cm_hotp(rfc_key, RFC_KEYLEN, 0, 9, &v), CM_EINVAL));
}

Test(cm_totp, steps_are_thirty_seconds_and_floor)
{
    cr_assert(eq(i64, cm_totp_step(0), 0));
    cr_assert(eq(i64, cm_totp_step(29), 0));
    cr_assert(eq(i64, cm_totp_step(30), 1));
    cr_assert(eq(i64, cm_totp_step(59), 1));
    cr_assert(eq(i64, cm_totp_step(-1), -1));
}

/* Code of rfc_key at step s, 6 digits. */
static void code_at(int64_t s, char *out)
{
    cr_assert(eq(int, cm_totp_code(rfc_key, RFC_KEYLEN, s, 6, out), CM_OK));
}

Test(cm_totp, verify_accepts_one_step_either_side_only)
{
    const int64_t t = 1700000015, now = cm_totp_step(t);
    char code[CM_TOTP_CODE_MAX];
    int64_t step;

    for (int64_t d = -1; d <= 1; d++) {
        code_at(now + d, code);
        step = -42;
        cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, code, t, -1, &step), 1));
        cr_assert(eq(i64, step, now + d));
    }
    for (int64_t d = -3; d <= 3; d += 1) {
        if (d >= -1 && d <= 1)
            continue;
        code_at(now + d, code);
        step = -42;
        cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, code, t, -1, &step), 0), "d=%d",
                  (int)d);
        cr_assert(eq(i64, step, -42));
    }
}

Test(cm_totp, verify_refuses_replays_and_older_steps)
{
    const int64_t t = 1700000015, now = cm_totp_step(t);
    char prev[CM_TOTP_CODE_MAX], cur[CM_TOTP_CODE_MAX], next[CM_TOTP_CODE_MAX];
    int64_t step = -1;

    code_at(now - 1, prev);
    code_at(now, cur);
    code_at(now + 1, next);
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, cur, t, -1, &step), 1));
    cr_assert(eq(i64, step, now));
    /* The step is now consumed: the same code, and an older one, are refused. */
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, cur, t, now, &step), 0));
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, prev, t, now, &step), 0));
    /* The next step is still good, once. */
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, next, t, now, &step), 1));
    cr_assert(eq(i64, step, now + 1));
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, next, t, now + 1, &step), 0));
}

Test(cm_totp, verify_refuses_malformed_codes)
{
    const int64_t t = 1700000015;
    char cur[CM_TOTP_CODE_MAX], longer[CM_TOTP_CODE_MAX + 4];
    int64_t step;

    code_at(cm_totp_step(t), cur);
    snprintf(longer, sizeof longer, "%s0", cur);
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, longer, t, -1, &step), 0));
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, cur + 1, t, -1, &step), 0));
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, "", t, -1, &step), 0));
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, NULL, t, -1, &step), 0));
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, "12a456", t, -1, &step), 0));
    cr_assert(eq(int, cm_totp_verify(rfc_key, RFC_KEYLEN, " 12345", t, -1, &step), 0));
}
