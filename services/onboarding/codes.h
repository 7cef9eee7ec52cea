/* codes.h: the secrets and names onboarding makes up: 6-digit confirmation
 * codes, the hash under which they are stored, and organization-code ids
 * when the client chose none. Needs sodium_init(). */
#ifndef ONBOARDING_CODES_H
#define ONBOARDING_CODES_H

#include <stdint.h>

#define CONFIRM_CODE_LEN 6
#define CONFIRM_HASH_BYTES 32 /* BLAKE2b-256 */
#define CODE_ID_GENERATED_LEN 10

/* A uniformly random code of CONFIRM_CODE_LEN digits (leading zeros kept). */
void codes_new_confirmation(char out[CONFIRM_CODE_LEN + 1]);

/* BLAKE2b-256 of code keyed by user_id (so equal codes of two people hash
 * differently). */
void codes_hash(const char *code, const char *user_id, uint8_t out[CONFIRM_HASH_BYTES]);

/* True when code hashes (codes_hash with user_id) to hash; constant time. */
int codes_match(const char *code, const char *user_id, const uint8_t hash[CONFIRM_HASH_BYTES]);

/* A random organization-code id of CODE_ID_GENERATED_LEN characters from an
 * alphabet without look-alikes (no 0/O, 1/I/L), easy to read out and type. */
void codes_new_id(char out[CODE_ID_GENERATED_LEN + 1]);

/* A random (version 4) uuid, lower case, into out. */
void codes_new_uuid(char out[37]);

#endif
