/* handlers.h: the messaging daemon's operation and RPC tables, and its handlers.
 * messaging owns the clinical messaging API (/api/<date>/...), email and SMS delivery, templates and logs. */
#ifndef MESSAGING_HANDLERS_H
#define MESSAGING_HANDLERS_H

#include "cm_service.h"

/* Every operation of the API documents that messaging owns; handler NULL = 501. */
extern const struct cm_op messaging_ops[];

/* Typed RPCs served on "messaging.rpc.<Method>". */
extern const struct cm_rpc messaging_rpcs[];

/* util.test (GET|POST|PUT /api/2015-02-01/util/test/{id}): reflects the
 * "message" parameter, "error" turns the status into "error". */
cm_err util_test(struct cm_req *rq, struct cm_resp *out);

#endif
