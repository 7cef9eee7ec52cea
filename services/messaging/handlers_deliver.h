/* handlers_deliver.h: messaging's delivery RPCs: Deliver
 * (handlers_deliver.c), ReportBounce and ClearBounce (handlers_bounces.c). */
#ifndef MESSAGING_HANDLERS_DELIVER_H
#define MESSAGING_HANDLERS_DELIVER_H

#include "cm_service.h"

/* messaging.rpc.Deliver: DeliverRequest → DeliverReply. With a
 * template_type the subject and body are composed from the organization's
 * template or the default (delivery_compose.h); otherwise they are taken as
 * given. Validates the message (spool_validate), writes it through the
 * local transport into SPOOL_DIR and records it in email_logs in the same
 * call: a file exists exactly when a 'sent' row does; a transport failure
 * leaves a 'failed' row and answers CM_EUNAVAIL. A request with an
 * idempotency key already sent to the recipient answers the first message
 * id (repeated) and sends nothing. An email address closed by a permanent
 * bounce is refused with CM_ECONFLICT (a 'suppressed' row). CM_EINVAL
 * (with the field at fault) for a bad message. Neither the body nor the
 * recipient is ever logged. */
cm_err rpc_deliver(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                   size_t *out_len);

struct spool_msg;

/* Sends m now from inside messaging (a handler's own mail, e.g. the
 * clinical API's activation email), as messaging.rpc.Deliver does:
 * validated, spooled and logged in email_logs. CM_EINVAL for a message
 * spool_validate refuses, else deliver's errors (logged, never the body). */
cm_err deliver_message(struct cm_worker *w, const struct spool_msg *m);
/* messaging.rpc.ReportBounce: ReportBounceRequest → ReportBounceReply. A
 * 'bounced' email_logs row; a "Permanent" bounce closes the address.
 * Like every typed RPC it is reached only over the suite's NATS (no edge
 * route). CM_EINVAL for a bad address or type. */
cm_err rpc_report_bounce(struct cm_worker *w, const Envelope__RpcRequest *req,
                         uint8_t **out_payload, size_t *out_len);

/* messaging.rpc.ClearBounce: ClearBounceRequest → ClearBounceReply: the
 * address receives mail again. */
cm_err rpc_clear_bounce(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                        size_t *out_len);

#endif
