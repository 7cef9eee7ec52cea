/* store_deliveries.h: messaging's queue of messages for a remote transport
 * (the deliveries table): a queued message is written with its 'queued'
 * email_logs row in one transaction, claimed by a sender under a lease
 * (so that two messaging processes never send it at the same time), and
 * ends sent or failed, its body then deleted. SQL lives here only. */
#ifndef MESSAGING_STORE_DELIVERIES_H
#define MESSAGING_STORE_DELIVERIES_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "store_email_logs.h"

#define DELIVERY_LEASE_S 300 /* a claimed message is not claimed again before this */

/* One queued message; strings borrowed from the list. */
struct delivery_rec {
    const char *id, *channel, *recipient, *subject, *body, *format, *kind;
    long attempts;
};
struct delivery_list {
    size_t n;
    struct delivery_rec *items;
    char *mem;
};

/* Queues a message: row (status "queued") and its deliveries row with
 * subject, body and format, in one transaction. CM_ECONFLICT when row's
 * idempotency key already has a sent or queued message to the recipient. */
cm_err store_delivery_enqueue(PGconn *pg, const struct email_log_rec *row, const char *body,
                              const char *format);

/* Claims up to max due messages (next_at passed), pushing their next_at
 * DELIVERY_LEASE_S ahead, into *out (store_delivery_list_free). */
cm_err store_delivery_claim(PGconn *pg, int max, struct delivery_list *out);

/* Message id was sent: its log row becomes 'sent', its queue row goes. */
cm_err store_delivery_sent(PGconn *pg, const char *id);

/* Attempt `attempts` of message id failed with error (no personal data):
 * when final, its log row becomes 'failed' and its queue row goes;
 * otherwise it is due again retry_ms from now. */
cm_err store_delivery_retry(PGconn *pg, const char *id, long attempts, const char *error,
                            long retry_ms, int final);

void store_delivery_list_free(struct delivery_list *l);

#endif
