/* signing_keys.c: the Ed25519 token-signing key and GetSigningKeys
 * (signing_keys.h). The loaded key lives in identity's state
 * (identity_state.h), not here. */
#include "signing_keys.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "handlers_auth.h"
#include "identity.pb-c.h"
#include "identity_state.h"
#include "store_auth.h"

void signing_key_kid(const unsigned char pk[CM_TOKEN_PK_BYTES], char kid[SIGNING_KID_LEN + 1])
{
    unsigned char h[32];

    crypto_generichash(h, sizeof h, pk, CM_TOKEN_PK_BYTES, NULL, 0);
    sodium_bin2hex(kid, SIGNING_KID_LEN + 1, h, SIGNING_KID_LEN / 2);
}

void signing_key_from_seed(const unsigned char seed[SIGNING_SEED_BYTES], struct signing_key *out)
{
    crypto_sign_seed_keypair(out->pk, out->sk, seed);
    signing_key_kid(out->pk, out->kid);
}

cm_err signing_seed_parse(const char *hex, unsigned char seed[SIGNING_SEED_BYTES])
{
    size_t n = 0;
    const char *end = NULL;

    if (!hex || strlen(hex) != SIGNING_SEED_BYTES * 2)
        return CM_EINVAL;
    if (sodium_hex2bin(seed, SIGNING_SEED_BYTES, hex, strlen(hex), NULL, &n, &end) != 0 ||
        n != SIGNING_SEED_BYTES || *end != '\0')
        return CM_EINVAL;
    return CM_OK;
}

cm_err signing_keys_load(const struct cm_config *cfg, PGconn *pg, struct signing_key *out)
{
    unsigned char seed[SIGNING_SEED_BYTES], fresh[SIGNING_SEED_BYTES];
    struct signing_key candidate;
    cm_err err = CM_OK;

    if (cfg->signing_key_seed && cfg->signing_key_seed[0]) {
        if (signing_seed_parse(cfg->signing_key_seed, seed) != CM_OK) {
            cm_error("SIGNING_KEY_SEED must be 64 hex characters");
            return CM_EINVAL;
        }
    } else {
        randombytes_buf(fresh, sizeof fresh);
        signing_key_from_seed(fresh, &candidate);
        err = store_signing_key_ensure(pg, fresh, candidate.kid, seed);
        sodium_memzero(fresh, sizeof fresh);
        sodium_memzero(&candidate, sizeof candidate);
        if (err != CM_OK) {
            cm_error("signing key could not be loaded: %s", cm_err_name(err));
            return err;
        }
    }
    signing_key_from_seed(seed, out);
    sodium_memzero(seed, sizeof seed);
    cm_info("token signing key %s (%s)", out->kid,
            cfg->signing_key_seed && cfg->signing_key_seed[0] ? "SIGNING_KEY_SEED" : "database");
    return CM_OK;
}

cm_err rpc_get_signing_keys(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len)
{
    Identity__GetSigningKeysReply out = IDENTITY__GET_SIGNING_KEYS_REPLY__INIT;
    Identity__SigningKey *keys = NULL, **ptrs = NULL;
    const struct signing_key *current = &identity_state_of(w)->signing;
    struct signing_key *derived = NULL;
    unsigned char(*seeds)[SIGNING_SEED_BYTES] = NULL;
    size_t n = 0, rows = 0;
    cm_err err;

    (void)req;
    err = store_signing_seeds(w->pg, &seeds, &rows);
    if (err != CM_OK)
        return err;
    keys = cm_xcalloc(rows + 1, sizeof *keys);
    ptrs = cm_xcalloc(rows + 1, sizeof *ptrs);
    derived = cm_xcalloc(rows + 1, sizeof *derived);
    derived[n++] = *current;
    for (size_t i = 0; i < rows; i++) {
        signing_key_from_seed(seeds[i], &derived[n]);
        if (strcmp(derived[n].kid, current->kid) != 0)
            n++;
    }
    for (size_t i = 0; i < n; i++) {
        identity__signing_key__init(&keys[i]);
        keys[i].kid = derived[i].kid;
        keys[i].public_key.data = derived[i].pk;
        keys[i].public_key.len = CM_TOKEN_PK_BYTES;
        ptrs[i] = &keys[i];
    }
    out.n_keys = n;
    out.keys = ptrs;
    *out_payload = cm_pack(&out.base, out_len);
    sodium_memzero(derived, (rows + 1) * sizeof *derived);
    free(derived);
    free(keys);
    free(ptrs);
    sodium_memzero(seeds, rows * sizeof *seeds);
    free(seeds);
    return err;
}
