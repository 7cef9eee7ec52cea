/* check_cache.h: a small, bounded, in-process cache of access-check answers
 * for authz.rpc.Check / CheckBatch, keyed by user + queries, with a TTL and a
 * generation counter.
 *
 * Invalidation: every group or membership change announces itself as an
 * event (evt.identity.>, evt.authz.>); each authz process bumps the
 * generation on every such event (check_rpc.c subscribes), and an entry
 * stored under an older generation is never returned. A caller reads the
 * generation BEFORE it asks the database and stores the answer under that
 * generation, so an answer computed while a change was being announced is
 * dropped rather than kept. The TTL bounds staleness when an event is lost.
 *
 * Thread-safe (striped mutexes, an atomic generation); every function may be
 * called from any thread. */
#ifndef AUTHZ_CHECK_CACHE_H
#define AUTHZ_CHECK_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define CHECK_CACHE_KEY_MAX 1024 /* longer keys are not cached */

struct check_cache;

/* New cache of nslots entries (direct-mapped: a new key replaces whatever
 * shared its slot) whose entries live ttl_ms. Caller frees with
 * check_cache_free. Aborts on OOM (cm_xmalloc). */
struct check_cache *check_cache_new(size_t nslots, int64_t ttl_ms);

/* Frees c and its keys; NULL is a no-op. */
void check_cache_free(struct check_cache *c);

/* The current generation, to pass to check_cache_put. */
uint64_t check_cache_generation(struct check_cache *c);

/* Makes every entry stored so far stale (generation + 1). */
void check_cache_invalidate(struct check_cache *c);

/* Builds the key for user_id and the n query strings into buf (cap bytes):
 * the parts joined with 0x1f. Returns its length, or 0 when it does not fit
 * (such checks are simply not cached). */
size_t check_cache_key(char *buf, size_t cap, const char *user_id, const char *const *queries,
                       size_t n);

/* Looks key[0..len) up at time now_ms (cm_now_ms). Returns 1 and the answer
 * in *out_allow on a hit (same generation, not expired), 0 otherwise. */
int check_cache_get(struct check_cache *c, const char *key, size_t len, int64_t now_ms,
                    int *out_allow);

/* Stores allow for key[0..len), computed under generation gen, at now_ms;
 * does nothing when gen is no longer current or len is 0 or too long. */
void check_cache_put(struct check_cache *c, const char *key, size_t len, uint64_t gen,
                     int64_t now_ms, int allow);

#endif
