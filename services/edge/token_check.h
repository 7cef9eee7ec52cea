/* token_check.h: "Authorization: Bearer <access token>" at the edge.
 *
 * A token is accepted when it is at most CM_TOKEN_MAX_LEN bytes, names a
 * known key (token_keys), carries a good Ed25519 signature (cm_token_verify:
 * also not expired, not issued in the future), is an access token (typ
 * "access"; id tokens are refused) and is not revoked (revocations).
 *
 * Each loop keeps a token_cache of the claims of access tokens it verified,
 * direct-mapped and keyed by the BLAKE2b-256 hash of the whole token, so a
 * hot token costs a hash instead of a signature check. A hit still checks
 * expiry and revocation. No locks: one cache per loop thread. */
#ifndef EDGE_TOKEN_CHECK_H
#define EDGE_TOKEN_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "cm_token.h"
#include "envelope.pb-c.h"
#include "revocations.h"
#include "token_keys.h"

#define TOKEN_HASH_BYTES 32

struct token_cache_entry {
    uint8_t hash[TOKEN_HASH_BYTES];
    int used;
    struct cm_token_claims claims;
};

struct token_cache {
    struct token_cache_entry *slots;
    size_t size;
    uint64_t hits, misses; /* for tests and benchmarks */
};

/* An empty cache of size entries (at least 1); release with
 * token_cache_release. */
void token_cache_init(struct token_cache *c, size_t size);
void token_cache_release(struct token_cache *c);

enum token_verdict {
    TOKEN_OK,          /* a valid access token: *out_claims is set */
    TOKEN_REFUSED,     /* malformed, unknown key, bad signature, expired, not
                        * an access token, or revoked: 401 */
    TOKEN_UNAVAILABLE, /* a well-formed token, but no key set was fetched yet,
                        * or the revocations are not replayed yet: 503 */
};

/* Checks token at unix time now_s against keys and rv, through c. On
 * TOKEN_OK *out_claims points into c (borrowed, valid until the next
 * token_check on c). An unknown key id asks keys for a refresh. Never
 * blocks. */
enum token_verdict token_check(struct token_cache *c, struct token_keys *keys,
                               struct revocations *rv, const char *token, int64_t now_s,
                               const struct cm_token_claims **out_claims);

/* Fills p from claims: kind USER, user_id = sub, organization_id = org,
 * roles, session_id = sid, impersonator_id = imp, token_gen = gen. p borrows the strings of
 * claims and uses roles (CM_TOKEN_MAX_ROLES pointers) for its role list. */
void token_principal(const struct cm_token_claims *claims, Envelope__Principal *p,
                     char *roles[CM_TOKEN_MAX_ROLES]);

#endif
