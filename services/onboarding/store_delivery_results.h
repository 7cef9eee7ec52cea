/* store_delivery_results.h: a delivery event of messaging written onto the
 * onboarding requests it is about (delivery_feed.h). */
#ifndef ONBOARDING_STORE_DELIVERY_RESULTS_H
#define ONBOARDING_STORE_DELIVERY_RESULTS_H

#include <libpq-fe.h>

#include "cm_err.h"

struct delivery_result {
    const char *event_id;   /* the event's Nats-Msg-Id (inbox) */
    const char *change;     /* "sent" | "failed" | "bounced" */
    const char *message_id; /* messaging's id of the send */
    const char *error, *bounce_type, *bounce_subtype, *occurred_at;
};

/* In one transaction: records the event in the inbox (a repeat changes
 * nothing: *out_applied 0), sets last-invite.<channel> of the requests
 * whose invite has message_id ("sent": status sent; "failed": status
 * error and the error) or their email-dsn ("bounced"), with an
 * onboarding_request.updated event each. */
cm_err store_delivery_result_apply(PGconn *pg, const struct delivery_result *r, int *out_applied);

#endif
