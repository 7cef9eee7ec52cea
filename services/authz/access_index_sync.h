/* access_index_sync.h: keeps an access index (access_index.h) equal to
 * authz's tables. At start it reads them in one snapshot together with the
 * last seq of their change log (index_log, 002_access_index.sql); a thread
 * with its own connection LISTENs on authz_index and applies the log past
 * the last applied seq after every commit that changed the tables (and once
 * a second in any case), recording this copy's applied seq in index_copies.
 * Read-your-writes: a request that wrote calls access_index_settle before
 * it answers. */
#ifndef AUTHZ_ACCESS_INDEX_SYNC_H
#define AUTHZ_ACCESS_INDEX_SYNC_H

#include <libpq-fe.h>

#include "access_index.h"
#include "cm_config.h"
#include "cm_err.h"

struct access_index_sync;

/* Builds ix from the tables (blocking) and starts the thread. CM_EUNAVAIL
 * when Postgres cannot be read. */
cm_err access_index_sync_start(const struct cm_config *cfg, struct access_index *ix,
                               struct access_index_sync **out);

/* Stops the thread, removes this copy from index_copies, frees; NULL is a
 * no-op. */
void access_index_sync_stop(struct access_index_sync *s);

/* The last log seq applied to the index. */
long long access_index_applied(const struct access_index_sync *s);

/* The last seq of the log (pg: any connection of the service role). */
cm_err access_index_latest(PGconn *pg, long long *out);

/* Applies the log past the applied seq now, on pg (a worker's idle
 * connection). */
cm_err access_index_catch_up(struct access_index_sync *s, PGconn *pg);

/* After a write committed on pg: applies it here, then waits (at most
 * wait_ms) until every other live copy (seen within 3 s) has applied it too,
 * so that the caller's next read sees it on any copy. CM_OK also on the
 * deadline (logged): the write is durable either way. */
cm_err access_index_settle(struct access_index_sync *s, PGconn *pg, int wait_ms);

#endif
