/* totp_keys.h: the keys that encrypt TOTP shared secrets at rest
 * (libsodium crypto_secretbox, XSalsa20-Poly1305).
 *
 * TOTP_KEYS is a cm_keyring.h key list ("id:base64key,id:base64key,..."):
 * the first key seals new secrets, all of them open stored ones. When TOTP_KEYS is empty, a
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
#include "cm_keyring.h"

#define TOTP_KEY_ID_MAX CM_KEY_ID_MAX
#define TOTP_KEYS_MAX CM_KEYS_MAX
#define TOTP_BOX_OVERHEAD CM_BOX_OVERHEAD

/* Parsing TOTP_KEYS, sealing and opening are cm_keyring's
 * (cm_keyring_parse, cm_keyring_seal, cm_keyring_open). */

/* Loads the daemon's keys at start (TOTP_KEYS, and the database key) into
 * *out (written only on CM_OK). CM_EINVAL for a malformed TOTP_KEYS. */
cm_err totp_keys_load(const struct cm_config *cfg, PGconn *pg, struct cm_keyring *out);

/* Seals every clear row and re-seals every row not under ring's first key. */
cm_err totp_keys_reseal(const struct cm_keyring *ring, PGconn *pg);

#endif
