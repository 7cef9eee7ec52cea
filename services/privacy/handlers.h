/* handlers.h: the privacy daemon's operation and RPC tables, and its handlers.
 * privacy owns the privacy API (/configure/...), deletion, archive and purge requests, anonymous access, aggregation. */
#ifndef PRIVACY_HANDLERS_H
#define PRIVACY_HANDLERS_H

#include "cm_service.h"

/* Every operation of the API documents that privacy owns; handler NULL = 501. */
extern const struct cm_op privacy_ops[];

/* Typed RPCs served on "privacy.rpc.<Method>". */
extern const struct cm_rpc privacy_rpcs[];

#endif
