/* repopulate.h: a full re-population of authz's projection of identity
 * (projection.h) from identity.rpc.ExportUsers, which repairs a projection
 * that missed history.
 *
 * It pages through the export in id order (REPOPULATE_PAGE users a page)
 * and writes each page in one transaction: every user is upserted with
 * last_populated_at = now(), its memberships and roles replaced by the
 * export's. A user whose projection applied an event that occurred after
 * the re-population started is skipped: the export may be older than that
 * event, and the event is the newer truth. When the export is complete,
 * projected users that identity did not export (and that got no event
 * since the start) are removed, and projection_state.last_populated_at is
 * set. One re-population runs at a time across every copy of authz (a
 * Postgres advisory lock).
 *
 * It runs at the first start (projection_state.last_populated_at NULL, from
 * the projection thread) and on demand through authz.rpc.Repopulate
 * (proto/authz.proto). The start time compared with events' occurred_at
 * is the database's now(): identity and authz share the Postgres cluster's
 * clock in every deployment of this suite. */
#ifndef AUTHZ_REPOPULATE_H
#define AUTHZ_REPOPULATE_H

#include <libpq-fe.h>
#include <nats/nats.h>
#include <stdatomic.h>

#include "cm_config.h"
#include "cm_err.h"
#include "projection_store.h"

#define REPOPULATE_PAGE 500 /* users asked per ExportUsers call (identity allows 1..1000) */

struct repopulate_result {
    unsigned users;                              /* written from the export */
    unsigned skipped;                            /* left to a newer event */
    unsigned removed;                            /* projected users identity no longer has */
    char last_populated_at[PROJECTION_TIME_LEN]; /* RFC 3339 UTC */
};

/* Runs one full re-population on pg (a connection of authz's role, not in
 * a transaction), asking identity through nc with cfg->rpc_timeout_ms per
 * page. stop (may be NULL) is checked between pages. On CM_OK out is
 * filled. CM_ECONFLICT when another re-population holds the lock;
 * CM_EUNAVAIL when identity does not answer or stop was raised; another
 * code from identity's reply or the database. A failed run leaves the
 * pages already written (each is consistent) and last_populated_at as it
 * was. */
cm_err repopulate_run(PGconn *pg, natsConnection *nc, const struct cm_config *cfg,
                      const atomic_int *stop, struct repopulate_result *out);

#endif
