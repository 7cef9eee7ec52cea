/* phi_crypt.c: the PHI keyring of messaging: loading PHI_KEYS (parsed by
 * cm_keyring), the database key, sealing and opening into new buffers
 * (phi_crypt.h). */
#include "phi_crypt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "store_phi_keys.h"

#define DB_KEY_ID "db"

/* The database key into ring: made first when make (store_phi_keys.h). */
static cm_err add_db_key(PGconn *pg, int make, struct cm_keyring *ring)
{
    uint8_t key[crypto_secretbox_KEYBYTES];
    char why[128];
    int found = 0;
    cm_err err = store_phi_db_key(pg, make, key, &found);

    if (err == CM_OK && found)
        err = cm_keyring_add(ring, DB_KEY_ID, key, why, sizeof why);
    sodium_memzero(key, sizeof key);
    return err;
}

cm_err phi_keys_load(const struct cm_config *cfg, struct cm_keyring *out)
{
    struct cm_keyring ring = {0};
    char why[160];
    PGconn *pg = NULL;
    cm_err err = cm_keyring_parse(cfg->phi_keys, &ring, why, sizeof why);

    if (err != CM_OK) {
        cm_error("PHI_KEYS: %s", why);
        return err;
    }
    if (ring.n == 0)
        cm_warn("PHI_KEYS is not set: patient data is sealed with a key kept in the database");
    err = cm_pg_connect(cfg, &pg);
    /* without PHI_KEYS the database key seals; with it, rows sealed before stay readable */
    if (err == CM_OK)
        err = add_db_key(pg, ring.n == 0, &ring);
    if (err == CM_OK) {
        struct phi_reseal_counts n;

        err = phi_reseal(pg, &ring, &n);
        if (err == CM_OK && (n.patients || n.threads || n.failed))
            cm_info("phi: %ld patient records and %ld thread patient names re-sealed with key %s"
                    "; %ld could not be opened (their key is not listed)",
                    n.patients, n.threads, ring.keys[0].id, n.failed);
        if (err == CM_OK && n.failed)
            cm_error("phi: %ld sealed rows are under a key PHI_KEYS does not list", n.failed);
    }
    if (pg)
        PQfinish(pg);
    if (err == CM_OK)
        *out = ring;
    sodium_memzero(&ring, sizeof ring);
    return err;
}

uint8_t *phi_seal(const struct cm_keyring *ring, const void *clear, size_t len,
                  char key_id[PHI_KEY_ID_MAX])
{
    uint8_t *box = cm_xmalloc(len + PHI_BOX_OVERHEAD);

    cm_keyring_seal(ring, clear, len, box, key_id);
    return box;
}

cm_err phi_open(const struct cm_keyring *ring, const char *key_id, const uint8_t *box, size_t len,
                char **out, size_t *out_len)
{
    size_t cap = len >= PHI_BOX_OVERHEAD ? len - PHI_BOX_OVERHEAD : 0, n = 0;
    char *clear = cm_xmalloc(cap + 1);
    cm_err err = cm_keyring_open(ring, key_id, box, len, (uint8_t *)clear, cap, &n);

    if (err != CM_OK) {
        free(clear);
        return err;
    }
    clear[n] = '\0';
    *out = clear;
    *out_len = n;
    return CM_OK;
}
