/* delivery_sender.h: the thread that sends queued messages through the
 * remote transports (SMTP for email when SMTP_URL is set, the SMS endpoint
 * when SMS_URL is set; store_deliveries.h, smtp_send.h). It claims due
 * messages every DELIVERY_POLL_MS under a lease (several messaging
 * processes share the queue), sends each, and marks it sent, or due again
 * after DELIVERY_BACKOFF_MS doubled per attempt (at most an hour), or
 * failed after DELIVERY_RETRIES attempts or a permanent refusal. A message
 * stays queued in Postgres until one of those, so a restart loses none; a
 * process killed between the server's acceptance and the 'sent' mark sends
 * that message again when the lease (DELIVERY_LEASE_S) ends (its
 * Message-ID / Idempotency-Key is the same, so the receiver can tell). It
 * has its own PGconn. Started and stopped by the cm_service hooks. */
#ifndef MESSAGING_DELIVERY_SENDER_H
#define MESSAGING_DELIVERY_SENDER_H

#include <nats/nats.h>

#include "cm_config.h"
#include "cm_err.h"

#define DELIVERY_POLL_MS 200
#define DELIVERY_BATCH 16

/* on_serving hook: starts the thread when a remote transport is set
 * (*state NULL otherwise). CM_EINTERNAL when it cannot start. */
cm_err delivery_sender_start(const struct cm_config *cfg, natsConnection *nc, void **state);

/* on_stop hook: lets the current message finish, joins the thread, frees
 * state (NULL: nothing). */
void delivery_sender_stop(void *state);

/* True when messages of channel ("email" | "sms") go through the queue
 * (a remote transport is configured), false for the spool. */
int delivery_remote(const struct cm_config *cfg, const char *channel);

/* Wait after the attempts-th failed attempt: backoff_ms doubled per earlier
 * attempt, at most an hour. Pure. */
long delivery_backoff_ms(long backoff_ms, long attempts);

#endif
