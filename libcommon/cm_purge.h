/* cm_purge.h: one service's step of privacy's deletion saga, the typed RPC
 * "<svc>.rpc.Purge" (privacy.proto PurgeRequest/PurgeReply). A service lists
 * what erases a person from its schema as SQL statements (one line per
 * table, in services/<svc>/purge_rpc.c) and serves the RPC with
 * cm_purge_serve.
 *
 * One call, in one transaction: the service's hook (may be NULL: work that
 * is not plain SQL, e.g. identity revoking tokens), each statement with $1
 * = the user id (uuid) and $2 = the needles (text[]: id, email, username;
 * a statement may use either or both), then the outbox: sent rows whose payload holds a needle are
 * deleted; while unsent ones still hold one, the reply says not done (the
 * saga asks again, after the relay has published them). "Holds" means holds
 * it as a whole protobuf string field: the needle preceded by its length
 * (cm_purge_field), so that "bob@x.com" never matches "jimbob@x.com". Idempotent: a
 * repeat finds nothing and answers done. */
#ifndef CM_PURGE_H
#define CM_PURGE_H

#include "cm_service.h"

/* Runs inside the purge transaction before the statements; may set
 * *out_done = 0 to have the saga call again. Returns a cm_err (anything but
 * CM_OK rolls the call back). */
typedef cm_err (*cm_purge_hook)(struct cm_worker *w, const char *user_id, int *out_done);

/* Serves one PurgeRequest with statements (NULL-terminated) and hook. */
cm_err cm_purge_serve(struct cm_worker *w, const Envelope__RpcRequest *req,
                      const char *const *statements, cm_purge_hook hook, uint8_t **out_payload,
                      size_t *out_len);

/* needles (n) as a Postgres text[] literal ("{"a","b"}", each element quoted
 * and escaped), for a $n::text[] parameter. Caller frees. */
char *cm_purge_text_array(char *const *needles, size_t n);

/* The bytes of needle as a protobuf string field's value: its length as a
 * varint, then the needle, into out (cap bytes, needle length + 2 needed
 * for needles under 16384 bytes). Returns the length written, 0 when it
 * does not fit. */
size_t cm_purge_field(const char *needle, unsigned char *out, size_t cap);

#endif
