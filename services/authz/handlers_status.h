/* handlers_status.h: declarations of the authz handlers in handlers_status*.c:
 * the freshness of the projection of identity (projection.h) and its
 * re-population on demand (repopulate.h). */
#ifndef AUTHZ_HANDLERS_STATUS_H
#define AUTHZ_HANDLERS_STATUS_H

#include "cm_service.h"

#define AUTHZ_STATUS_TYPE "authz-user-status"
#define AUTHZ_STATUS_ASK_MS 500 /* how long up-to-date waits for JetStream's answer */

/* GET /v1/authz-user-status/{id}/ (#14): how fresh authz's projection of
 * user id is. 200 with an authz-user-status resource (id = the user id)
 * whose attributes are last-populated-at (the last full re-population that
 * wrote this user), latest-event-at (occurred_at of the newest identity
 * event applied to this user), both RFC 3339 or null, and up-to-date: true
 * only when the projection has been populated at least once and the
 * durable consumer has no event pending or unacknowledged
 * (projection_caught_up), asked within AUTHZ_STATUS_ASK_MS, and the
 * answering copy's access index has applied the last change of the tables;
 * false when JetStream cannot say. index-applied-seq and index-latest-seq:
 * the last seq of the change log (index_log) that copy applied, and the
 * log's last. The user themself, an admin of an organization the
 * user belongs to (in the caller's current organization) and the platform
 * admin may ask; anyone else, an unknown user or an id that is not a uuid:
 * 404. No query parameters: 400. No credentials: 401. */
cm_err authz_user_status(struct cm_req *rq, struct cm_resp *out);

/* authz.rpc.Repopulate: RepopulateRequest → RepopulateReply (proto/authz.proto),
 * a full re-population run on the worker's connection before replying
 * (repopulate_run). CM_ECONFLICT when one is already running. */
cm_err rpc_repopulate(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                      size_t *out_len);

#endif
