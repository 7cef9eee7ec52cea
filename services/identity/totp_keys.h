/* totp_keys.h: the keys that encrypt TOTP shared secrets at rest
 * (libsodium crypto_secretbox, XSalsa20-Poly1305).
 *
 * TOTP_KEYS is "id:base64key,id:base64key,..." (each key 32 bytes in
 * standard base64, ids of letters, digits, '-' and '_'): the first key seals
 * new secrets, all of them open stored ones. When TOTP_KEYS is empty, a
 * random key kept in the database (id "db", table totp_db_key) is used, with
 * a warning; that key also stays readable once TOTP_KEYS is set. Keys are
 * loaded once at start into identity's state (identity_state_new, before
 * any worker runs) and only read afterwards. At every start totp_keys_reseal seals rows still in clear
 * and re-seals rows under any other key than the first: rotating is
 * "put the new key first, keep the old one after it, restart; once the log
 * says every row is sealed with the new key, drop the old one". Keys are
 * never logged. */
#ifndef IDENTITY_TOTP_KEYS_H
#define IDENTITY_TOTP_KEYS_H

#include <libpq-fe.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_config.h"
#include "cm_err.h"

#define TOTP_KEY_ID_MAX 32 /* with its NUL */
#define TOTP_KEYS_MAX 8
#define TOTP_BOX_OVERHEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

struct totp_key {
    char id[TOTP_KEY_ID_MAX];
    uint8_t key[crypto_secretbox_KEYBYTES];
};

struct totp_keyring {
    struct totp_key keys[TOTP_KEYS_MAX];
    int n; /* keys[0] seals */
};

/* Parses a TOTP_KEYS value into ring (adds to what it holds). CM_EINVAL
 * with a reason in why (no key material in it) on a malformed entry, a
 * key that is not 32 bytes, a repeated id or too many keys. Pure. */
cm_err totp_keyring_parse(const char *spec, struct totp_keyring *ring, char *why, size_t whylen);

/* Seals secret (len bytes) with ring's first key into box (len +
 * TOTP_BOX_OVERHEAD bytes); its id into key_id. Pure (a random nonce). */
void totp_keyring_seal(const struct totp_keyring *ring, const uint8_t *secret, size_t len,
                       uint8_t *box, char key_id[TOTP_KEY_ID_MAX]);

/* Opens box (len bytes) sealed with key key_id into secret (cap bytes),
 * its length in *out_len. CM_ENOTFOUND for an unknown key id, CM_EINVAL
 * when the box does not open (tampered, or another key). Pure. */
cm_err totp_keyring_open(const struct totp_keyring *ring, const char *key_id, const uint8_t *box,
                         size_t len, uint8_t *secret, size_t cap, size_t *out_len);

/* Loads the daemon's keys at start (TOTP_KEYS, and the database key) into
 * *out (written only on CM_OK). CM_EINVAL for a malformed TOTP_KEYS. */
cm_err totp_keys_load(const struct cm_config *cfg, PGconn *pg, struct totp_keyring *out);

/* Seals every clear row and re-seals every row not under ring's first key. */
cm_err totp_keys_reseal(const struct totp_keyring *ring, PGconn *pg);

#endif
