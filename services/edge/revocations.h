/* revocations.h: the sessions and users whose access tokens the edge
 * refuses although their signatures are good (DESIGN.md §6).
 *
 * identity publishes SessionRevoked on REVOCATIONS_SUBJECT through its outbox
 * into the JetStream stream EVENTS. The edge follows that subject with an
 * ordered consumer that starts keep_s seconds in the past, so an edge started
 * (or reconnected) late still learns the revocations whose tokens may be
 * alive; until that replay is done, bearer tokens wait (503,
 * revocations_caught_up). An event with a session id revokes that session; one with only a
 * user id and min_token_gen refuses the user's tokens whose generation
 * (claim "gen") is below it (disable, password change, a role or a
 * membership lost: exact, since identity issues a token's generation and
 * roles from one snapshot); one with only a user id and no generation
 * (older publishers) refuses the user's tokens issued at or before
 * revoked_before. Entries are dropped keep_s seconds after the revocation
 * (ACCESS_TOKEN_TTL_S + 60: no token outlives that).
 *
 * The set is shared by every loop (read lock per check; no lock at all while
 * it is empty) and written by nats.c's delivery thread. Times are unix
 * seconds (wall clock, as in the tokens); every function takes now_s, so
 * tests use a fake clock. */
#ifndef EDGE_REVOCATIONS_H
#define EDGE_REVOCATIONS_H

#include <nats/nats.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define REVOCATIONS_SUBJECT "evt.identity.session.revoked"
#define REVOCATIONS_API_CLIENT_SUBJECT "evt.identity.api_client.changed"
#define REVOCATIONS_ID_MAX 39 /* longest session or user id kept (cm_token_claims' fields) */
#define REVOCATIONS_RETRY_MS 1000 /* between subscription attempts */

struct revocations;

/* A new, empty set that keeps entries keep_s seconds. Caller frees with
 * revocations_free. */
struct revocations *revocations_new(int64_t keep_s);

/* Stops the follower (revocations_stop) and frees r. NULL is a no-op. */
void revocations_free(struct revocations *r);

/* Records a revocation at time at_s (unix s): session_id when it is not
 * empty, otherwise every token of user_id with iat <= at_s. Ids longer than
 * REVOCATIONS_ID_MAX are ignored (no token can carry them). Entries whose
 * time is over keep_s before now_s are not kept. Thread-safe. */
void revocations_add(struct revocations *r, const char *session_id, const char *user_id,
                     int64_t at_s, int64_t now_s);

/* Records that user_id's tokens with a generation below min_gen are
 * refused, from a revocation at at_s (unix s: kept keep_s from then; the
 * highest generation wins). min_gen <= 0 records nothing. Thread-safe. */
void revocations_add_user_gen(struct revocations *r, const char *user_id, int64_t min_gen,
                              int64_t at_s, int64_t now_s);

/* True when a token of session_id ("" when none) and user_id issued at iat
 * with generation gen is revoked at now_s. Thread-safe; never waits on the
 * follower. */
int revocations_refuses(struct revocations *r, const char *session_id, const char *user_id,
                        int64_t iat, int64_t gen, int64_t now_s);

/* Applies one packed SessionRevoked: a user's min_token_gen
 * (revocations_add_user_gen), else revocations_add; either at its
 * revoked_before, else its occurred_at, else now_s. CM_EINVAL when it does
 * not unpack or names neither a session nor a user. */
cm_err revocations_apply(struct revocations *r, const uint8_t *data, size_t len, int64_t now_s);

/* Records that API client client_id's key changed (rotated or revoked) at
 * at_s: credentials of it cached before then are stale. Thread-safe. */
void revocations_add_api_client(struct revocations *r, const char *client_id, int64_t at_s,
                                int64_t now_s);

/* True when an answer about API client client_id cached at cached_s (unix
 * s) may be stale: its key changed at or after that second. Thread-safe. */
int revocations_api_client_stale(struct revocations *r, const char *client_id, int64_t cached_s,
                                 int64_t now_s);

/* Applies one packed ApiClientChanged: a "key_rotated" or "revoked" change
 * is recorded (revocations_add_api_client at its occurred_at, else now_s);
 * other changes need nothing. CM_EINVAL when it does not unpack. */
cm_err revocations_apply_api_client(struct revocations *r, const uint8_t *data, size_t len,
                                    int64_t now_s);

/* Entries held (expired ones included until the next rebuild). */
size_t revocations_count(struct revocations *r);

/* Starts the follower thread: subscribes on nc (driven by nats.c's own
 * threads; borrowed, must outlive revocations_stop) to REVOCATIONS_SUBJECT
 * and REVOCATIONS_API_CLIENT_SUBJECT, each with a JetStream ordered
 * consumer from keep_s back, retrying every REVOCATIONS_RETRY_MS while the stream is missing,
 * and subscribing again if the subscription becomes invalid. Leaves when
 * *stop becomes non-zero or on revocations_stop. CM_EINTERNAL when the
 * thread cannot start. */
cm_err revocations_start(struct revocations *r, natsConnection *nc, volatile sig_atomic_t *stop);

/* True once the follower's subscriptions are in place. */
int revocations_following(struct revocations *r);

/* True once r holds every revocation that may still matter: always before
 * revocations_start; after it, once the session feed is subscribed and has
 * delivered the last revocation the stream held within keep_s when it was
 * subscribed. Sticky: a later resubscription (NATS restart) keeps the
 * entries already held, so it does not wait again. Until then the edge
 * answers bearer tokens 503 rather than let a revoked one through.
 * Thread-safe, lock-free. */
int revocations_caught_up(struct revocations *r);

/* Stops and joins the follower and unsubscribes; a no-op when not running. */
void revocations_stop(struct revocations *r);

#endif
