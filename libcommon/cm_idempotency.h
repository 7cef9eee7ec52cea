/* cm_idempotency.h: Idempotency-Key on every POST, PUT and PATCH, for every
 * service (the dispatch in cm_service.c calls it around each handler).
 *
 * A client that sends "Idempotency-Key: <key>" (1..255 printable ASCII
 * characters; a random uuid is the expected choice) may repeat the request
 * after a lost answer:
 *   - the same key and the same request (method, path, query and body,
 *     byte for byte) within 24 h gets the first answer again (status,
 *     content type, body), and the handler does not run again;
 *   - the same key with another request → 422, nothing runs;
 *   - the same key while the first request is still being handled → 409;
 *   - answers with a 5xx status or 429 are not kept: the claim is released
 *     and a retry runs the handler again.
 * Keys are scoped per caller (the Principal: user, API client, service;
 * one shared scope for anonymous callers, where the whole request must
 * match to see an answer), so callers never see each other's answers.
 *
 * Storage: the service's own table idempotency_keys (a built-in migration,
 * CM_IDEM_MIGRATION). Neither the key nor the scope is stored, only a hash
 * of both; the answer is encrypted (crypto_secretbox) with a key derived
 * from the scope and the Idempotency-Key, so a copy of the database does
 * not reveal answers that carry tokens or secrets. The key is claimed
 * (committed) before the handler runs and the answer stored after it: a
 * daemon that dies in between, or whose release of the claim fails (the
 * database went away), leaves a claim that a retry takes over once it is
 * stale_s old (cm_idem_stale_s: three request timeouts, 5..CM_IDEM_STALE_S
 * seconds: by then the edge has long answered the first request 504). A
 * retry meanwhile gets 409 with Retry-After. Rows older than 24 h are purged
 * by the workers. */
#ifndef CM_IDEMPOTENCY_H
#define CM_IDEMPOTENCY_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "envelope.pb-c.h"

#define CM_IDEM_MIGRATION "000_idempotency_keys.sql"
#define CM_IDEM_KEY_MAX 255            /* longest Idempotency-Key accepted */
#define CM_IDEM_ANSWER_MAX (1u << 20)  /* larger answers are not kept (a retry re-runs) */
#define CM_IDEM_STALE_S 60             /* the longest a claim without answer blocks its key */

/* The DDL of the built-in migration CM_IDEM_MIGRATION. Static. */
extern const char cm_idem_ddl[];

/* One request's key, derived by cm_idem_init. */
struct cm_idem {
    unsigned char id[32];          /* hash of scope and key: the row's primary key */
    unsigned char box_key[32];     /* encrypts the answer */
    unsigned char fingerprint[32]; /* hash of method, path, query and body */
    int claimed;                   /* 1 after a CM_IDEM_RUN claim, until stored or released */
    int stale_s;                   /* a claim without answer this old is taken over */
};

/* How old a claim without answer must be before a retry takes it over, for
 * the edge's request timeout (REQUEST_TIMEOUT_MS): three timeouts, at least
 * 5 s and at most CM_IDEM_STALE_S. Pure. */
int cm_idem_stale_s(int request_timeout_ms);

enum cm_idem_state {
    CM_IDEM_RUN = 1, /* claimed: run the handler, then cm_idem_store or cm_idem_release */
    CM_IDEM_REPLAY,  /* the first answer is in the cm_idem_answer */
    CM_IDEM_MISMATCH, /* the key was used for another request: 422 */
    CM_IDEM_BUSY,     /* the first request with this key is still running: 409 */
};

/* A stored answer; content_type and body are malloc'd (cm_idem_answer_release). */
struct cm_idem_answer {
    int status;
    char *content_type;
    char *body;
    size_t len;
};

void cm_idem_answer_release(struct cm_idem_answer *a);

/* 1 when key is an acceptable Idempotency-Key (1..CM_IDEM_KEY_MAX bytes of
 * printable ASCII, 0x21..0x7e and space inside), else 0. */
int cm_idem_key_valid(const char *key);

/* The caller's scope for principal p (NULL: anonymous) into out (cap bytes):
 * "user:<id>" (with "/by:<impersonator>" when impersonated), "client:<id>",
 * "service:<id>" or "anonymous". */
void cm_idem_scope(const Envelope__Principal *p, char *out, size_t cap);

/* Derives c from the scope, the key and the request; stale_s is
 * CM_IDEM_STALE_S until the caller sets it. */
void cm_idem_init(struct cm_idem *c, const char *scope, const char *key, const char *method,
                  const char *path, const char *query, const void *body, size_t len);

/* Claims c's key on pg (outside a transaction; the claim commits at once).
 * On CM_OK *state says what to do; with CM_IDEM_REPLAY *out holds the first
 * answer (caller cm_idem_answer_release). Otherwise a database error. Also
 * purges rows older than 24 h, at most every 10 minutes per thread. */
cm_err cm_idem_claim(PGconn *pg, struct cm_idem *c, enum cm_idem_state *state,
                     struct cm_idem_answer *out);

/* After the handler of a claimed key: keeps the answer when status is
 * below 500 and not 429 and the body at most CM_IDEM_ANSWER_MAX bytes,
 * otherwise releases the claim. No-op unless c->claimed. */
void cm_idem_finish(PGconn *pg, struct cm_idem *c, int status, const char *content_type,
                    const char *body, size_t len);

/* --- the hooks of the HTTP dispatch (cm_service.c) */

struct cm_req;
struct cm_resp;

/* Before the handler of rq: without an Idempotency-Key, or on a method
 * other than POST, PUT and PATCH, returns 0 (run the handler). Otherwise
 * claims the key: returns 0 when claimed (run the handler, then
 * cm_idem_after), or 1 when the request is answered already: *out holds the
 * first answer again, a 422 (key used for another request) or a 409 (the
 * first is still running), or *err is set (400 for a malformed key, 503
 * when the database does not answer) with its detail recorded in rq. */
int cm_idem_before(struct cm_req *rq, struct cm_idem *c, struct cm_resp *out, cm_err *err);

/* After the handler and the error mapping, before the answer is sent:
 * keeps out for repeats, or releases the claim (cm_idem_finish). */
void cm_idem_after(struct cm_req *rq, struct cm_idem *c, const struct cm_resp *out);

#endif
