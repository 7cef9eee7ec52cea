/* delivery_feed.h: onboarding follows messaging's delivery events
 * (evt.messaging.delivery.{sent,failed,bounced}, DeliveryChanged) through
 * the durable JetStream consumer "onboarding-delivery", and feeds them back
 * to the onboarding requests whose invitation they are about:
 * last-invite.{email,sms} status "sent" / "error" (with the error), and a
 * bounce as `email-dsn`. A thread with its own Postgres connection; each
 * event is applied once (inbox) and acknowledged after its commit. */
#ifndef ONBOARDING_DELIVERY_FEED_H
#define ONBOARDING_DELIVERY_FEED_H

#include "cm_service.h"

#define DELIVERY_FEED_CONSUMER "onboarding-delivery"
#define DELIVERY_FEED_FILTER "evt.messaging.delivery.>"

/* Starts the thread (cfg and nc borrowed). CM_EINTERNAL when it cannot. */
cm_err delivery_feed_start(const struct cm_config *cfg, natsConnection *nc, void **out_state);

/* Stops the thread and frees state. */
void delivery_feed_stop(void *state);

#endif
