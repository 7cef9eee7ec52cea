/* store_delivery_events.h: evt.messaging.delivery.{sent,failed,bounced}
 * (DeliveryChanged), written to messaging's outbox in the transaction that
 * records the result in email_logs, so onboarding (and any other consumer)
 * learns what became of a message it asked for. */
#ifndef MESSAGING_STORE_DELIVERY_EVENTS_H
#define MESSAGING_STORE_DELIVERY_EVENTS_H

#include <libpq-fe.h>

#include "cm_err.h"

/* Adds the event change ("sent" | "failed" | "bounced") about the
 * email-logs message message_id (its channel, kind and organization are
 * read from email_logs). Call inside a transaction. CM_OK without an event
 * when no such message exists. */
cm_err delivery_event_add(PGconn *pg, const char *message_id, const char *change,
                          const char *error, const char *bounce_type, const char *bounce_subtype);

#endif
