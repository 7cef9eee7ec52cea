/* codes.c: confirmation codes, their hashes and generated organization-code
 * ids (see codes.h). */
#include "codes.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void codes_new_confirmation(char out[CONFIRM_CODE_LEN + 1])
{
    snprintf(out, CONFIRM_CODE_LEN + 1, "%06u", (unsigned)randombytes_uniform(1000000U) % 1000000U);
}

void codes_hash(const char *code, const char *user_id, uint8_t out[CONFIRM_HASH_BYTES])
{
    size_t klen = strlen(user_id);

    if (klen > crypto_generichash_KEYBYTES_MAX)
        klen = crypto_generichash_KEYBYTES_MAX;
    crypto_generichash(out, CONFIRM_HASH_BYTES, (const unsigned char *)code, strlen(code),
                       (const unsigned char *)user_id, klen);
}

int codes_match(const char *code, const char *user_id, const uint8_t hash[CONFIRM_HASH_BYTES])
{
    uint8_t h[CONFIRM_HASH_BYTES];
    codes_hash(code, user_id, h);
    return sodium_memcmp(h, hash, CONFIRM_HASH_BYTES) == 0;
}

void codes_new_id(char out[CODE_ID_GENERATED_LEN + 1])
{
    static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    for (int i = 0; i < CODE_ID_GENERATED_LEN; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[CODE_ID_GENERATED_LEN] = '\0';
}
