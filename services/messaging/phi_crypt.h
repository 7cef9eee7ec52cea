/* phi_crypt.h: the keys that seal patient data (PHI) of the clinical API at
 * rest: patient records and threads' patient names (libsodium
 * crypto_secretbox, XSalsa20-Poly1305; a box is the 24-byte nonce followed
 * by the ciphertext).
 *
 * PHI_KEYS is a cm_keyring.h key list, as identity's TOTP_KEYS: the
 * first key seals, all open. Without PHI_KEYS a random key kept in
 * messaging.phi_db_key (id "db") is used, with a warning at start: fine for
 * make up, not for production. Keys are loaded once by messaging_state_new
 * and only read afterwards; they are never logged. */
#ifndef MESSAGING_PHI_CRYPT_H
#define MESSAGING_PHI_CRYPT_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_config.h"
#include "cm_err.h"
#include "cm_keyring.h"

#define PHI_KEY_ID_MAX CM_KEY_ID_MAX
#define PHI_BOX_OVERHEAD CM_BOX_OVERHEAD

/* Parsing PHI_KEYS is cm_keyring_parse's (cm_keyring.h). */

/* Loads PHI_KEYS, and the database key when PHI_KEYS is empty (made on
 * first use) or when it exists, through a connection of its own; then
 * re-seals every row under another key than the first (store_phi_keys.h)
 * and logs how many. *out written on CM_OK. */
cm_err phi_keys_load(const struct cm_config *cfg, struct cm_keyring *out);

/* Seals len bytes of clear under ring's first key: returns a new box of
 * len + PHI_BOX_OVERHEAD bytes (caller frees) and the key id into key_id. */
uint8_t *phi_seal(const struct cm_keyring *ring, const void *clear, size_t len,
                  char key_id[PHI_KEY_ID_MAX]);

/* Opens box (len bytes) sealed under key_id: on CM_OK *out is a new
 * NUL-terminated buffer of *out_len bytes (caller frees). CM_ENOTFOUND for
 * an unknown key id, CM_EINVAL when the box does not open. */
cm_err phi_open(const struct cm_keyring *ring, const char *key_id, const uint8_t *box, size_t len,
                char **out, size_t *out_len);

#endif
