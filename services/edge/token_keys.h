/* token_keys.h: the Ed25519 public keys that verify access tokens, by key
 * id, shared by every edge loop (DESIGN.md §6).
 *
 * Loops only read the set (token_keys_lookup: a read lock held for a copy of
 * 32 bytes). A background thread, never a loop, fills it from identity with
 * identity.rpc.GetSigningKeys: at start (retrying every TOKEN_KEYS_RETRY_MS
 * until it works), then every TOKEN_KEYS_REFRESH_MS, and soon after a loop
 * met a token with an unknown key id (token_keys_want_refresh), at most once
 * per TOKEN_KEYS_RETRY_MS. Until the first fetch succeeds lookups answer
 * TOKEN_KEYS_NOT_LOADED (the edge says 503). */
#ifndef EDGE_TOKEN_KEYS_H
#define EDGE_TOKEN_KEYS_H

#include <nats/nats.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "cm_token.h"

#define TOKEN_KEYS_SUBJECT "identity.rpc.GetSigningKeys"
#define TOKEN_KEYS_MAX 16                  /* keys kept; identity serves newest first */
#define TOKEN_KEYS_RETRY_MS 1000           /* between failed fetches, and on unknown kids */
#define TOKEN_KEYS_REFRESH_MS (5 * 60000)  /* between successful fetches */
#define TOKEN_KEYS_RPC_TIMEOUT_MS 2000

struct token_key {
    char kid[CM_TOKEN_KID_MAX];
    unsigned char pk[CM_TOKEN_PK_BYTES];
};

enum token_key_lookup {
    TOKEN_KEY_FOUND,       /* the key is known: its bytes were copied */
    TOKEN_KEY_UNKNOWN,     /* keys are loaded, this kid is not among them */
    TOKEN_KEYS_NOT_LOADED, /* no fetch has succeeded yet */
};

/* When the fetcher should ask identity next: pure, unit-tested. */
struct token_keys_schedule {
    int loaded;          /* a fetch has succeeded */
    int want;            /* a loop met an unknown kid since the last attempt */
    int64_t last_try_ms; /* monotonic ms of the last attempt, 0: none */
    int64_t next_ms;     /* next regular attempt (retry or refresh) */
};

/* Milliseconds until the next fetch is due at now_ms, 0 when it is due. */
int64_t token_keys_schedule_wait(const struct token_keys_schedule *s, int64_t now_ms);

/* Records an attempt at now_ms that succeeded (ok) or failed. */
void token_keys_schedule_done(struct token_keys_schedule *s, int ok, int64_t now_ms);

struct token_keys;

/* A new, empty key set with no fetcher; caller frees with token_keys_free. */
struct token_keys *token_keys_new(void);

/* Stops the fetcher (token_keys_stop) and frees k. NULL is a no-op. */
void token_keys_free(struct token_keys *k);

/* Copies the public key of kid into out_pk. Thread-safe; never waits for a
 * fetch (the lock is held only to copy keys in or out). */
enum token_key_lookup token_keys_lookup(struct token_keys *k, const char *kid,
                                        unsigned char out_pk[CM_TOKEN_PK_BYTES]);

/* Replaces the set with keys[0..n) (n is capped at TOKEN_KEYS_MAX) and marks
 * it loaded. Used by the fetcher; tests call it directly. */
void token_keys_replace(struct token_keys *k, const struct token_key *keys, size_t n);

/* Asks the fetcher for a fetch soon (a token named an unknown kid). Safe on
 * a loop thread: it takes a mutex the fetcher never holds while fetching. */
void token_keys_want_refresh(struct token_keys *k);

/* True while a refresh asked by token_keys_want_refresh is pending. */
int token_keys_refresh_wanted(struct token_keys *k);

/* Starts the fetcher thread on nc, a connection driven by nats.c's own
 * threads (cm_nats_rpc blocks). nc is borrowed and must outlive
 * token_keys_stop. The thread leaves when *stop becomes non-zero or on
 * token_keys_stop. CM_EINTERNAL when the thread cannot start. */
cm_err token_keys_start(struct token_keys *k, natsConnection *nc, volatile sig_atomic_t *stop);

/* Stops and joins the fetcher; a no-op when it is not running. */
void token_keys_stop(struct token_keys *k);

/* Decodes a packed GetSigningKeysReply into keys (TOKEN_KEYS_MAX entries),
 * skipping entries with an empty or too long kid or a public key that is not
 * CM_TOKEN_PK_BYTES long. Returns how many were kept; -1 when the payload
 * does not unpack. */
int token_keys_decode(const uint8_t *payload, size_t len, struct token_key *keys);

#endif
