/* handlers_deliver.h: messaging's delivery RPC (handlers_deliver.c). */
#ifndef MESSAGING_HANDLERS_DELIVER_H
#define MESSAGING_HANDLERS_DELIVER_H

#include "cm_service.h"

/* messaging.rpc.Deliver: DeliverRequest → DeliverReply. Validates the
 * message (spool_validate), writes it through the local transport into
 * SPOOL_DIR and records it in email_logs in the same call: a file exists
 * exactly when a 'sent' row does; a transport failure leaves a 'failed' row
 * and answers CM_EUNAVAIL. CM_EINVAL (with the field at fault) for a bad
 * message. Neither the body nor the recipient is ever logged. */
cm_err rpc_deliver(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                   size_t *out_len);

struct spool_msg;

/* Sends m now from inside messaging (a handler's own mail, e.g. the
 * clinical API's activation email), as messaging.rpc.Deliver does:
 * validated, spooled and logged in email_logs. CM_EINVAL for a message
 * spool_validate refuses, else deliver's errors (logged, never the body). */
cm_err deliver_message(struct cm_worker *w, const struct spool_msg *m);

#endif
