/* cm_nkey.h: NATS NKeys (ed25519 keys in NATS's base32 form) and the
 * authentication both NATS clients send in CONNECT: an NKey seed file
 * (NATS_NKEY_SEED_FILE) or a credentials file (NATS_CREDS_FILE: user JWT +
 * seed). The server's INFO carries a nonce; the client signs it with the
 * seed (libsodium) and sends the signature with its public key (or JWT).
 *
 * The settings are process-wide: cm_nkey_configure is called once at start
 * from the loaded configuration, before any connection, and every NATS
 * connection of the process then uses them (cm_wire's blocking worker
 * client, the edge's link, and nats.c connections via cm_nats.c). */
#ifndef CM_NKEY_H
#define CM_NKEY_H

#include <stddef.h>
#include <stdint.h>

#define CM_NKEY_SEED_LEN 58   /* "SU..." */
#define CM_NKEY_PUBLIC_LEN 56 /* "U..." */

/* The public user key ("U...", NUL-terminated into pub[57]) and the ed25519
 * secret key (sk[64], libsodium's layout) of a user seed ("SU..."). 0, or
 * -1 when seed is not a valid user seed (bad base32, prefix or checksum). */
int cm_nkey_from_seed(const char *seed, size_t len, char pub[CM_NKEY_PUBLIC_LEN + 1],
                      uint8_t sk[64]);

/* The user seed string of 32 raw seed bytes (NUL-terminated into out[59]). */
void cm_nkey_encode_seed(const uint8_t raw[32], char out[CM_NKEY_SEED_LEN + 1]);

/* The signature of nonce[0..len) with sk, base64url without padding (what
 * nats-server accepts as CONNECT's "sig"), into out[cap]; 0 or -1. */
int cm_nkey_sign(const uint8_t sk[64], const char *nonce, size_t len, char *out, size_t cap);

/* Reads a credentials file: the user JWT and the seed it contains, each the
 * first line after its "-----BEGIN ..." marker. 0, or -1 when unreadable or
 * either part is missing. */
int cm_nkey_read_creds(const char *path, char *jwt, size_t jwtcap, char *seed, size_t seedcap);

/* Reads the first line starting with "SU" from an NKey seed file. 0 or -1. */
int cm_nkey_read_seed_file(const char *path, char *seed, size_t cap);

/* --- the process-wide NATS authentication */

/* Sets the files (either may be NULL or ""; both empty: no NKey/JWT). Checks
 * they are readable and hold a valid seed: 0, or -1 with why[]. */
int cm_nkey_configure(const char *nkey_seed_file, const char *creds_file, char *why, size_t whylen);

/* The configured files ("" when not set). */
const char *cm_nkey_seed_file(void);
const char *cm_nkey_creds_file(void);

/* The CONNECT fields for the INFO json[0..len): nothing when no NKey/creds
 * is configured (returns 0); else "nkey" (or "jwt") and "sig" of the
 * INFO's nonce set on connect (a jansson object, passed as void *). The
 * files are read again at each connect, so rotated credentials are picked
 * up. -1 when the files cannot be read or the INFO has no nonce. */
int cm_nkey_connect_fields(void *connect, const char *info, size_t len);

#endif
