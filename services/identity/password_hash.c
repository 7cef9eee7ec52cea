/* password_hash.c: argon2id hashing and verification (password_hash.h). */
#include "password_hash.h"

#include <pthread.h>
#include <string.h>

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PW_HASH_MAX];
static const struct cm_config *dummy_cfg;

cm_err pw_hash(const struct cm_config *cfg, const char *password, char out[PW_HASH_MAX])
{
    if (crypto_pwhash_str(out, password, strlen(password), (unsigned long long)cfg->pwhash_opslimit,
                          (size_t)cfg->pwhash_memlimit_kib * 1024) != 0)
        return CM_ENOMEM;
    return CM_OK;
}

static void make_dummy(void)
{
    if (pw_hash(dummy_cfg, "not a password of anybody", dummy_hash) != CM_OK)
        dummy_hash[0] = '\0';
}

cm_err pw_verify(const struct cm_config *cfg, const char *hash, const char *password)
{
    if (!hash || !hash[0]) {
        dummy_cfg = cfg;
        pthread_once(&dummy_once, make_dummy);
        if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
            return CM_EUNAUTH; /* same answer either way: only the time matters */
        return CM_EUNAUTH;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? CM_OK : CM_EUNAUTH;
}
