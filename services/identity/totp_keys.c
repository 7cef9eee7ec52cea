/* totp_keys.c: the keyring that seals TOTP secrets at rest: its loading
 * from TOTP_KEYS (parsed by cm_keyring) and the database, and the
 * re-sealing at start (totp_keys.h). */
#include "totp_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "store_mfa.h"

#define DB_KEY_ID "db"

cm_err totp_keys_load(const struct cm_config *cfg, PGconn *pg, struct cm_keyring *out)
{
    struct cm_keyring ring = {0};
    uint8_t db_key[32];
    char why[160];
    int found = 0;
    cm_err err;

    if (cm_keyring_parse(cfg->totp_keys, &ring, why, sizeof why) != CM_OK) {
        cm_error("TOTP_KEYS: %s", why);
        return CM_EINVAL;
    }
    /* the database key: the sealing key without TOTP_KEYS, else only read */
    err = store_mfa_db_key(pg, ring.n == 0, db_key, &found);
    if (err != CM_OK)
        return err;
    if (found && cm_keyring_add(&ring, DB_KEY_ID, db_key, why, sizeof why) != CM_OK)
        cm_warn("TOTP_KEYS: the database key is left out: %s", why);
    sodium_memzero(db_key, sizeof db_key);
    if (ring.n == 0)
        return CM_EINTERNAL;
    if (!cfg->totp_keys[0])
        cm_warn("TOTP_KEYS is not set: TOTP secrets are sealed with a key kept in the database");
    *out = ring;
    sodium_memzero(&ring, sizeof ring);
    return CM_OK;
}

cm_err totp_keys_reseal(const struct cm_keyring *ring, PGconn *pg)
{
    uint8_t box[MFA_SECRET_MAX + TOTP_BOX_OVERHEAD];
    char key_id[TOTP_KEY_ID_MAX];
    struct mfa_sealed *rows = NULL;
    size_t n = 0, done = 0, lost = 0;
    cm_err err = store_mfa_unsealed(ring, pg, &rows, &n);

    for (size_t i = 0; err == CM_OK && i < n; i++) {
        if (rows[i].secret_len == 0) {
            lost++; /* its key is not configured any more: left as it is */
            continue;
        }
        cm_keyring_seal(ring, rows[i].secret, rows[i].secret_len, box, key_id);
        err = store_mfa_seal(pg, rows[i].id, box, rows[i].secret_len + TOTP_BOX_OVERHEAD, key_id);
        done += err == CM_OK;
    }
    sodium_memzero(box, sizeof box);
    if (rows)
        sodium_memzero(rows, n * sizeof *rows);
    free(rows);
    if (err != CM_OK)
        return err;
    if (done)
        cm_info("totp secrets: %zu sealed with key %s", done, ring->keys[0].id);
    if (lost)
        cm_error("totp secrets: %zu sealed with a key no longer in TOTP_KEYS; their users "
                 "cannot pass MFA until it is back",
                 lost);
    else
        cm_info("totp secrets: every one sealed with key %s", ring->keys[0].id);
    return CM_OK;
}
