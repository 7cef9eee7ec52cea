/* totp_keys.c: the keyring that seals TOTP secrets at rest, its loading
 * from TOTP_KEYS and the database, and the re-sealing at start
 * (totp_keys.h). */
#include "totp_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "store_mfa.h"

#define DB_KEY_ID "db"

static int id_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Adds one "id:base64" entry (n bytes at s). */
static cm_err add_entry(struct totp_keyring *ring, const char *s, size_t n, char *why,
                        size_t whylen)
{
    const char *colon = memchr(s, ':', n);
    size_t idlen = colon ? (size_t)(colon - s) : 0, binlen = 0;
    struct totp_key k;
    char b64[128];

    if (!colon || idlen == 0 || idlen >= TOTP_KEY_ID_MAX) {
        snprintf(why, whylen, "each entry must be id:base64key with an id of 1 to %d characters",
                 TOTP_KEY_ID_MAX - 1);
        return CM_EINVAL;
    }
    for (size_t i = 0; i < idlen; i++)
        if (!id_char_ok(s[i])) {
            snprintf(why, whylen, "a key id may hold letters, digits, '-' and '_' only");
            return CM_EINVAL;
        }
    memcpy(k.id, s, idlen);
    k.id[idlen] = '\0';
    if (n - idlen - 1 >= sizeof b64) {
        snprintf(why, whylen, "key %s: too long", k.id);
        return CM_EINVAL;
    }
    memcpy(b64, colon + 1, n - idlen - 1);
    b64[n - idlen - 1] = '\0';
    if (sodium_base642bin(k.key, sizeof k.key, b64, strlen(b64), NULL, &binlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        binlen != sizeof k.key) {
        sodium_memzero(b64, sizeof b64);
        snprintf(why, whylen, "key %s: want %zu bytes in standard base64", k.id, sizeof k.key);
        return CM_EINVAL;
    }
    sodium_memzero(b64, sizeof b64);
    for (int i = 0; i < ring->n; i++)
        if (!strcmp(ring->keys[i].id, k.id)) {
            snprintf(why, whylen, "key id %s appears twice", k.id);
            return CM_EINVAL;
        }
    if (ring->n >= TOTP_KEYS_MAX) {
        snprintf(why, whylen, "at most %d keys", TOTP_KEYS_MAX);
        return CM_EINVAL;
    }
    ring->keys[ring->n++] = k;
    sodium_memzero(&k, sizeof k);
    return CM_OK;
}

cm_err totp_keyring_parse(const char *spec, struct totp_keyring *ring, char *why, size_t whylen)
{
    while (spec && *spec) {
        const char *end = strchr(spec, ',');
        size_t n = end ? (size_t)(end - spec) : strlen(spec);
        while (n > 0 && *spec == ' ') {
            spec++;
            n--;
        }
        while (n > 0 && spec[n - 1] == ' ')
            n--;
        if (n > 0 && add_entry(ring, spec, n, why, whylen) != CM_OK)
            return CM_EINVAL;
        spec = end ? end + 1 : NULL;
    }
    return CM_OK;
}

void totp_keyring_seal(const struct totp_keyring *ring, const uint8_t *secret, size_t len,
                       uint8_t *box, char key_id[TOTP_KEY_ID_MAX])
{
    const struct totp_key *k = &ring->keys[0];

    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, secret, len, box, k->key);
    snprintf(key_id, TOTP_KEY_ID_MAX, "%s", k->id);
}

cm_err totp_keyring_open(const struct totp_keyring *ring, const char *key_id, const uint8_t *box,
                         size_t len, uint8_t *secret, size_t cap, size_t *out_len)
{
    const struct totp_key *k = NULL;
    size_t n;

    for (int i = 0; i < ring->n && !k; i++)
        if (!strcmp(ring->keys[i].id, key_id))
            k = &ring->keys[i];
    if (!k)
        return CM_ENOTFOUND;
    if (len < TOTP_BOX_OVERHEAD || len - TOTP_BOX_OVERHEAD > cap)
        return CM_EINVAL;
    n = len - TOTP_BOX_OVERHEAD;
    if (crypto_secretbox_open_easy(secret, box + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, box, k->key) != 0)
        return CM_EINVAL;
    *out_len = n;
    return CM_OK;
}

cm_err totp_keys_load(const struct cm_config *cfg, PGconn *pg, struct totp_keyring *out)
{
    struct totp_keyring ring = {0};
    uint8_t db_key[32];
    char why[160];
    int found = 0;
    cm_err err;

    if (totp_keyring_parse(cfg->totp_keys, &ring, why, sizeof why) != CM_OK) {
        cm_error("TOTP_KEYS: %s", why);
        return CM_EINVAL;
    }
    /* the database key: the sealing key without TOTP_KEYS, else only read */
    err = store_mfa_db_key(pg, ring.n == 0, db_key, &found);
    if (err != CM_OK)
        return err;
    if (found && ring.n < TOTP_KEYS_MAX) {
        struct totp_key *k = &ring.keys[ring.n++];
        snprintf(k->id, sizeof k->id, "%s", DB_KEY_ID);
        memcpy(k->key, db_key, sizeof k->key);
    }
    sodium_memzero(db_key, sizeof db_key);
    if (ring.n == 0)
        return CM_EINTERNAL;
    if (!cfg->totp_keys[0])
        cm_warn("TOTP_KEYS is not set: TOTP secrets are sealed with a key kept in the database");
    *out = ring;
    sodium_memzero(&ring, sizeof ring);
    return CM_OK;
}

cm_err totp_keys_reseal(const struct totp_keyring *ring, PGconn *pg)
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
        totp_keyring_seal(ring, rows[i].secret, rows[i].secret_len, box, key_id);
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
