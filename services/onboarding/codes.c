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

void codes_new_uuid(char out[37])
{
    uint8_t b[16];

    randombytes_buf(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}
