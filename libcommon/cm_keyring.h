/* cm_keyring.h: a small ring of named 32-byte secretbox keys (libsodium
 * crypto_secretbox, XSalsa20-Poly1305) that seal data at rest, and the
 * parser of its configuration value. Identity's TOTP_KEYS (totp_keys.h) and
 * messaging's PHI_KEYS (phi_crypt.h) are both this format:
 * "id:base64key,id:base64key,..." (each key 32 bytes in standard base64,
 * ids of 1 to CM_KEY_ID_MAX-1 letters, digits, '-' and '_'). The first key
 * seals, every key opens. A box is the 24-byte nonce followed by the
 * ciphertext (CM_BOX_OVERHEAD bytes longer than the clear text). Keys are
 * never logged nor put into a reason. */
#ifndef CM_KEYRING_H
#define CM_KEYRING_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define CM_KEY_ID_MAX 32 /* with its NUL */
#define CM_KEYS_MAX 8
#define CM_BOX_OVERHEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

struct cm_key {
    char id[CM_KEY_ID_MAX];
    uint8_t key[crypto_secretbox_KEYBYTES];
};

struct cm_keyring {
    struct cm_key keys[CM_KEYS_MAX];
    int n; /* keys[0] seals */
};

/* Parses a key-list value (format above) into ring, adding to what it
 * holds. CM_EINVAL with a reason in why (no key material in it) on a
 * malformed entry, a key that is not 32 bytes, a repeated id or too many
 * keys. Pure. */
cm_err cm_keyring_parse(const char *spec, struct cm_keyring *ring, char *why, size_t whylen);

/* Adds key under id (at most CM_KEY_ID_MAX-1 characters) to ring. CM_EINVAL
 * with a reason in why for a repeated id or a full ring. */
cm_err cm_keyring_add(struct cm_keyring *ring, const char *id,
                      const uint8_t key[crypto_secretbox_KEYBYTES], char *why, size_t whylen);

/* Seals len bytes of clear with ring's first key (ring->n > 0) into box
 * (len + CM_BOX_OVERHEAD bytes); its id into key_id. Pure (a random
 * nonce). */
void cm_keyring_seal(const struct cm_keyring *ring, const void *clear, size_t len, uint8_t *box,
                     char key_id[CM_KEY_ID_MAX]);

/* Opens box (len bytes) sealed under key_id into out (cap bytes), its
 * length in *out_len. CM_ENOTFOUND for an unknown key id, CM_EINVAL when
 * the box is short, too large for cap, or does not open (tampered, or
 * another key). Pure. */
cm_err cm_keyring_open(const struct cm_keyring *ring, const char *key_id, const uint8_t *box,
                       size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
