/* cm_nkey.c: NKey seeds, nonce signatures and credentials files for NATS
 * authentication (cm_nkey.h). */
#include "cm_nkey.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cm_log.h"
#include "cm_totp.h"

#define PREFIX_SEED (18 << 3) /* 'S' */
#define PREFIX_USER (20 << 3) /* 'U' */
#define MAX_JWT 8192

static char g_seed_file[512];
static char g_creds_file[512];

/* CRC-16/XMODEM, NATS's checksum of the key bytes. */
static uint16_t crc16(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;

    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

/* Decodes the base32 text s[0..n) (cm_totp.h) into out[cap]; the byte
 * count, or -1. The copy of the (secret) text is wiped. */
static long b32_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    char text[128];
    size_t got = 0;
    cm_err err = CM_EINVAL;

    if (n < sizeof text && !memchr(s, '\0', n)) {
        memcpy(text, s, n);
        text[n] = '\0';
        err = cm_base32_decode(text, out, cap, &got);
    }
    sodium_memzero(text, sizeof text);
    return err == CM_OK ? (long)got : -1;
}

int cm_nkey_from_seed(const char *seed, size_t len, char pub[CM_NKEY_PUBLIC_LEN + 1],
                      uint8_t sk[64])
{
    uint8_t raw[64], pk[32], key[35];
    long n = b32_decode(seed, len, raw, sizeof raw);
    uint16_t crc;

    if (n != 36)
        return -1;
    crc = (uint16_t)(raw[34] | raw[35] << 8);
    if (crc16(raw, 34) != crc || (raw[0] & 0xf8) != PREFIX_SEED ||
        (uint8_t)(((raw[0] & 7) << 5) | ((raw[1] & 0xf8) >> 3)) != PREFIX_USER)
        return -1;
    if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, raw + 2) != 0)
        return -1;
    sodium_memzero(raw, sizeof raw);
    key[0] = PREFIX_USER;
    memcpy(key + 1, pk, 32);
    crc = crc16(key, 33);
    key[33] = (uint8_t)(crc & 0xff);
    key[34] = (uint8_t)(crc >> 8);
    cm_base32_encode(key, 35, 0, pub, CM_NKEY_PUBLIC_LEN + 1);
    return 0;
}

void cm_nkey_encode_seed(const uint8_t seed[32], char out[CM_NKEY_SEED_LEN + 1])
{
    uint8_t raw[36];
    uint16_t crc;

    raw[0] = (uint8_t)(PREFIX_SEED | (PREFIX_USER >> 5));
    raw[1] = (uint8_t)((PREFIX_USER & 31) << 3);
    memcpy(raw + 2, seed, 32);
    crc = crc16(raw, 34);
    raw[34] = (uint8_t)(crc & 0xff);
    raw[35] = (uint8_t)(crc >> 8);
    cm_base32_encode(raw, 36, 0, out, CM_NKEY_SEED_LEN + 1);
    sodium_memzero(raw, sizeof raw);
}

int cm_nkey_sign(const uint8_t sk[64], const char *nonce, size_t len, char *out, size_t cap)
{
    uint8_t sig[crypto_sign_BYTES];

    if (cap < sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return -1;
    crypto_sign_detached(sig, NULL, (const uint8_t *)nonce, len, sk);
    sodium_bin2base64(out, cap, sig, sizeof sig, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

/* Strips trailing whitespace of s in place. */
static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

int cm_nkey_read_creds(const char *path, char *jwt, size_t jwtcap, char *seed, size_t seedcap)
{
    FILE *f = fopen(path, "r");
    char line[MAX_JWT];
    char *want = NULL;
    size_t wantcap = 0;

    if (!f)
        return -1;
    jwt[0] = seed[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        chomp(line);
        if (strstr(line, "-----BEGIN") && strstr(line, "JWT")) {
            want = jwt;
            wantcap = jwtcap;
        } else if (strstr(line, "-----BEGIN") && strstr(line, "SEED")) {
            want = seed;
            wantcap = seedcap;
        } else if (want && line[0] && line[0] != '-') {
            snprintf(want, wantcap, "%s", line);
            want = NULL;
        }
    }
    fclose(f);
    sodium_memzero(line, sizeof line);
    return jwt[0] && seed[0] ? 0 : -1;
}

int cm_nkey_read_seed_file(const char *path, char *seed, size_t cap)
{
    FILE *f = fopen(path, "r");
    char line[256];
    int rc = -1;

    if (!f)
        return -1;
    while (rc != 0 && fgets(line, sizeof line, f)) {
        chomp(line);
        if (!strncmp(line, "SU", 2)) {
            snprintf(seed, cap, "%s", line);
            rc = 0;
        }
    }
    fclose(f);
    sodium_memzero(line, sizeof line);
    return rc;
}

/* The seed (and the JWT when a credentials file is set) to sign with. */
static int load(char *jwt, size_t jwtcap, char *seed, size_t seedcap)
{
    jwt[0] = '\0';
    if (g_creds_file[0])
        return cm_nkey_read_creds(g_creds_file, jwt, jwtcap, seed, seedcap);
    return cm_nkey_read_seed_file(g_seed_file, seed, seedcap);
}

int cm_nkey_configure(const char *nkey_seed_file, const char *creds_file, char *why, size_t whylen)
{
    char jwt[MAX_JWT], seed[128], pub[CM_NKEY_PUBLIC_LEN + 1];
    uint8_t sk[64];
    int rc;

    snprintf(g_seed_file, sizeof g_seed_file, "%s", nkey_seed_file ? nkey_seed_file : "");
    snprintf(g_creds_file, sizeof g_creds_file, "%s", creds_file ? creds_file : "");
    if (!g_seed_file[0] && !g_creds_file[0])
        return 0;
    if (g_seed_file[0] && g_creds_file[0]) {
        snprintf(why, whylen, "NATS_NKEY_SEED_FILE and NATS_CREDS_FILE are exclusive");
        return -1;
    }
    if (load(jwt, sizeof jwt, seed, sizeof seed) != 0) {
        snprintf(why, whylen, "%s cannot be read or lacks a user seed%s",
                 g_creds_file[0] ? "NATS_CREDS_FILE" : "NATS_NKEY_SEED_FILE",
                 g_creds_file[0] ? " or a JWT" : "");
        return -1;
    }
    rc = cm_nkey_from_seed(seed, strlen(seed), pub, sk);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    if (rc != 0)
        snprintf(why, whylen, "the NATS user seed is not a valid NKey user seed");
    return rc;
}

const char *cm_nkey_seed_file(void)
{
    return g_seed_file;
}

const char *cm_nkey_creds_file(void)
{
    return g_creds_file;
}

int cm_nkey_connect_fields(void *connect, const char *info, size_t len)
{
    json_t *o = connect, *js;
    char jwt[MAX_JWT], seed[128], pub[CM_NKEY_PUBLIC_LEN + 1], sig[128];
    uint8_t sk[64];
    const char *nonce;
    int rc = -1;

    if (!g_seed_file[0] && !g_creds_file[0])
        return 0;
    js = json_loadb(info, len, 0, NULL);
    nonce = json_string_value(json_object_get(js, "nonce"));
    if (nonce && load(jwt, sizeof jwt, seed, sizeof seed) == 0 &&
        cm_nkey_from_seed(seed, strlen(seed), pub, sk) == 0 &&
        cm_nkey_sign(sk, nonce, strlen(nonce), sig, sizeof sig) == 0) {
        if (jwt[0])
            json_object_set_new(o, "jwt", json_string(jwt));
        else
            json_object_set_new(o, "nkey", json_string(pub));
        json_object_set_new(o, "sig", json_string(sig));
        rc = 0;
    } else if (!nonce) {
        cm_warn("nats server sent no nonce: NKey authentication is not possible");
    } else {
        cm_warn("cannot read the NATS NKey seed or credentials file");
    }
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    json_decref(js);
    return rc;
}
