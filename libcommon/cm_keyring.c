/* cm_keyring.c: named secretbox keys, their "id:base64,..." configuration
 * value, sealing and opening (cm_keyring.h). */
#include "cm_keyring.h"

#include <stdio.h>
#include <string.h>

static int id_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

cm_err cm_keyring_add(struct cm_keyring *ring, const char *id,
                      const uint8_t key[crypto_secretbox_KEYBYTES], char *why, size_t whylen)
{
    for (int i = 0; i < ring->n; i++)
        if (!strcmp(ring->keys[i].id, id)) {
            snprintf(why, whylen, "key id %s appears twice", id);
            return CM_EINVAL;
        }
    if (ring->n >= CM_KEYS_MAX) {
        snprintf(why, whylen, "at most %d keys", CM_KEYS_MAX);
        return CM_EINVAL;
    }
    snprintf(ring->keys[ring->n].id, CM_KEY_ID_MAX, "%s", id);
    memcpy(ring->keys[ring->n].key, key, crypto_secretbox_KEYBYTES);
    ring->n++;
    return CM_OK;
}

/* One "id:base64" entry (n bytes at s). */
static cm_err add_entry(struct cm_keyring *ring, const char *s, size_t n, char *why, size_t whylen)
{
    const char *colon = memchr(s, ':', n);
    size_t idlen = colon ? (size_t)(colon - s) : 0, binlen = 0;
    uint8_t key[crypto_secretbox_KEYBYTES];
    char id[CM_KEY_ID_MAX], b64[128];
    cm_err err;

    if (!colon || idlen == 0 || idlen >= CM_KEY_ID_MAX) {
        snprintf(why, whylen, "each entry must be id:base64key with an id of 1 to %d characters",
                 CM_KEY_ID_MAX - 1);
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
    err = cm_keyring_add(ring, id, key, why, whylen);
    sodium_memzero(key, sizeof key);
    return err;
}

cm_err cm_keyring_parse(const char *spec, struct cm_keyring *ring, char *why, size_t whylen)
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

void cm_keyring_seal(const struct cm_keyring *ring, const void *clear, size_t len, uint8_t *box,
                     char key_id[CM_KEY_ID_MAX])
{
    const struct cm_key *k = &ring->keys[0];

    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, clear, len, box, k->key);
    snprintf(key_id, CM_KEY_ID_MAX, "%s", k->id);
}

cm_err cm_keyring_open(const struct cm_keyring *ring, const char *key_id, const uint8_t *box,
                       size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    const struct cm_key *k = NULL;

    for (int i = 0; i < ring->n && !k; i++)
        if (!strcmp(ring->keys[i].id, key_id))
            k = &ring->keys[i];
    if (!k)
        return CM_ENOTFOUND;
    if (len < CM_BOX_OVERHEAD || len - CM_BOX_OVERHEAD > cap)
        return CM_EINVAL;
    if (crypto_secretbox_open_easy(out, box + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, box, k->key) != 0)
        return CM_EINVAL;
    *out_len = len - CM_BOX_OVERHEAD;
    return CM_OK;
}
