/* phi_crypt.c: the PHI keyring of messaging: parsing PHI_KEYS, the database
 * key, sealing and opening (phi_crypt.h). */
#include "phi_crypt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "store_phi_keys.h"

#define DB_KEY_ID "db"

static int id_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Adds key (32 bytes) under id to ring. */
static cm_err add_key(struct phi_keyring *ring, const char *id, const uint8_t *key, char *why,
                      size_t whylen)
{
    for (int i = 0; i < ring->n; i++)
        if (!strcmp(ring->keys[i].id, id)) {
            snprintf(why, whylen, "key id %s appears twice", id);
            return CM_EINVAL;
        }
    if (ring->n >= PHI_KEYS_MAX) {
        snprintf(why, whylen, "at most %d keys", PHI_KEYS_MAX);
        return CM_EINVAL;
    }
    snprintf(ring->keys[ring->n].id, PHI_KEY_ID_MAX, "%s", id);
    memcpy(ring->keys[ring->n].key, key, crypto_secretbox_KEYBYTES);
    ring->n++;
    return CM_OK;
}

/* One "id:base64" entry (n bytes at s). */
static cm_err add_entry(struct phi_keyring *ring, const char *s, size_t n, char *why, size_t whylen)
{
    const char *colon = memchr(s, ':', n);
    size_t idlen = colon ? (size_t)(colon - s) : 0, binlen = 0;
    uint8_t key[crypto_secretbox_KEYBYTES];
    char id[PHI_KEY_ID_MAX], b64[128];
    cm_err err;

    if (!colon || idlen == 0 || idlen >= PHI_KEY_ID_MAX) {
        snprintf(why, whylen, "each entry must be id:base64key with an id of 1 to %d characters",
                 PHI_KEY_ID_MAX - 1);
        return CM_EINVAL;
    }
    for (size_t i = 0; i < idlen; i++)
        if (!id_char_ok(s[i])) {
            snprintf(why, whylen, "a key id may hold letters, digits, '-' and '_' only");
            return CM_EINVAL;
        }
    memcpy(id, s, idlen);
    id[idlen] = '\0';
    if (n - idlen - 1 >= sizeof b64) {
        snprintf(why, whylen, "key %s: too long", id);
        return CM_EINVAL;
    }
    memcpy(b64, colon + 1, n - idlen - 1);
    b64[n - idlen - 1] = '\0';
    if (sodium_base642bin(key, sizeof key, b64, strlen(b64), NULL, &binlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        binlen != sizeof key) {
        sodium_memzero(b64, sizeof b64);
        snprintf(why, whylen, "key %s: want %zu bytes in standard base64", id, sizeof key);
        return CM_EINVAL;
    }
    sodium_memzero(b64, sizeof b64);
    err = add_key(ring, id, key, why, whylen);
    sodium_memzero(key, sizeof key);
    return err;
}

cm_err phi_keyring_parse(const char *spec, struct phi_keyring *ring, char *why, size_t whylen)
{
    while (spec && *spec) {
        const char *end = strchr(spec, ',');
        size_t n = end ? (size_t)(end - spec) : strlen(spec);
        cm_err err;

        while (n > 0 && *spec == ' ') {
            spec++;
            n--;
        }
        while (n > 0 && spec[n - 1] == ' ')
            n--;
        if (n > 0 && (err = add_entry(ring, spec, n, why, whylen)) != CM_OK)
            return err;
        spec = end ? end + 1 : NULL;
    }
    return CM_OK;
}

/* The database key into ring: made first when make (store_phi_keys.h). */
static cm_err add_db_key(PGconn *pg, int make, struct phi_keyring *ring)
{
    uint8_t key[crypto_secretbox_KEYBYTES];
    char why[128];
    int found = 0;
    cm_err err = store_phi_db_key(pg, make, key, &found);

    if (err == CM_OK && found)
        err = add_key(ring, DB_KEY_ID, key, why, sizeof why);
    sodium_memzero(key, sizeof key);
    return err;
}

cm_err phi_keys_load(const struct cm_config *cfg, struct phi_keyring *out)
{
    struct phi_keyring ring = {0};
    char why[160];
    PGconn *pg = NULL;
    cm_err err = phi_keyring_parse(cfg->phi_keys, &ring, why, sizeof why);

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

uint8_t *phi_seal(const struct phi_keyring *ring, const void *clear, size_t len,
                  char key_id[PHI_KEY_ID_MAX])
{
    uint8_t *box = cm_xmalloc(len + PHI_BOX_OVERHEAD);

    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, clear, len, box, ring->keys[0].key);
    snprintf(key_id, PHI_KEY_ID_MAX, "%s", ring->keys[0].id);
    return box;
}

cm_err phi_open(const struct phi_keyring *ring, const char *key_id, const uint8_t *box, size_t len,
                char **out, size_t *out_len)
{
    char *clear;

    for (int i = 0; i < ring->n; i++) {
        if (strcmp(ring->keys[i].id, key_id) != 0)
            continue;
        if (len < PHI_BOX_OVERHEAD)
            return CM_EINVAL;
        clear = cm_xmalloc(len - PHI_BOX_OVERHEAD + 1);
        if (crypto_secretbox_open_easy((unsigned char *)clear, box + crypto_secretbox_NONCEBYTES,
                                       len - crypto_secretbox_NONCEBYTES, box,
                                       ring->keys[i].key) != 0) {
            free(clear);
            return CM_EINVAL;
        }
        clear[len - PHI_BOX_OVERHEAD] = '\0';
        *out = clear;
        *out_len = len - PHI_BOX_OVERHEAD;
        return CM_OK;
    }
    return CM_ENOTFOUND;
}
