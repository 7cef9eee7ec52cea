/* projection.h: authz's projection of identity's users, organization
 * memberships and roles (tables users, memberships, user_roles and
 * projection_state of 001_authz.sql), fed by identity's events.
 *
 * A thread of the daemon (projection_start, the cm_service on_serving hook)
 * pulls from the durable JetStream consumer PROJECTION_CONSUMER on the
 * stream EVENTS, filtered to PROJECTION_FILTER, one message at a time. For
 * each, in ONE transaction on its own PGconn: the event id (the Nats-Msg-Id
 * header) goes into inbox (consumer PROJECTION_CONSUMER) — an id already
 * there means "handled before", and nothing else happens —; the change is
 * applied; users.latest_event_at and projection_state.latest_event_at take
 * the event's occurred_at when it is newer. The message is acked only after
 * the commit, so an outage of Postgres or NATS delays events but never loses
 * one, and a redelivery changes nothing.
 *
 * Order: the consumer allows one unacknowledged message (MaxAckPending 1),
 * so even several copies of authz sharing it apply identity's events one at
 * a time in stream order. Subjects under evt.identity.> that do not touch
 * the projection (organization, session, api_client) are acked and
 * skipped, as are malformed events (logged: a re-population repairs what
 * they would have said).
 *
 * At its first start (projection_state.last_populated_at NULL) the thread
 * also runs a full re-population (repopulate.h), retried until it works. */
#ifndef AUTHZ_PROJECTION_H
#define AUTHZ_PROJECTION_H

#include <nats/nats.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_config.h"
#include "cm_err.h"

#define PROJECTION_CONSUMER "authz" /* durable name and inbox consumer */
#define PROJECTION_FILTER "evt.identity.>"
#define PROJECTION_ACK_WAIT_MS 30000 /* redelivery after a silent copy */
#define PROJECTION_FETCH_WAIT_MS 500 /* one pull; also the stop latency */

/* What one identity event does to the projection. */
enum projection_kind {
    PROJECTION_IGNORE = 0,         /* a subject the projection does not hold */
    PROJECTION_USER,               /* UserChanged: the user's attributes */
    PROJECTION_MEMBERSHIP_ADDED,   /* MembershipChanged "added" */
    PROJECTION_MEMBERSHIP_REMOVED, /* MembershipChanged "removed" (its roles go too) */
    PROJECTION_ROLE_ADDED,         /* RoleMembershipChanged "added" */
    PROJECTION_ROLE_REMOVED,       /* RoleMembershipChanged "removed" */
};

/* A decoded event. The strings are borrowed from msg (the unpacked
 * protobuf message), valid until projection_change_release; fields a kind
 * does not use are "". */
struct projection_change {
    enum projection_kind kind;
    const char *user_id;                                   /* uuid */
    const char *organization_id;                           /* uuid, memberships and roles */
    const char *role_name;                                 /* roles */
    const char *username, *email, *first_name, *last_name; /* PROJECTION_USER */
    int enabled, platform_admin;                           /* PROJECTION_USER */
    const char *occurred_at;                               /* RFC 3339 */
    ProtobufCMessage *msg; /* owner of the strings; NULL for PROJECTION_IGNORE */
};

/* Decodes the event published on subject with payload data/len into out
 * (release it with projection_change_release, also after an error). A
 * subject outside user / membership / role changes, or a verb the
 * projection does not know, gives PROJECTION_IGNORE. Returns CM_EINVAL,
 * with the reason in why (whylen bytes), for a payload that does not
 * unpack, an id that is not a uuid, an empty role name or a bad
 * occurred_at. Pure: no I/O. */
cm_err projection_decode(const char *subject, const uint8_t *data, size_t len,
                         struct projection_change *out, char *why, size_t whylen);

/* Frees what projection_decode kept; c is zeroed. */
void projection_change_release(struct projection_change *c);

/* True when s is an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS, optional
 * fraction (1 to 9 digits), then Z or ±HH:MM; 't' and 'z' accepted. */
int projection_time_valid(const char *s);

/* The cm_service on_serving hook: starts the projection thread, which uses
 * nc and cfg (borrowed; they must outlive projection_stop) and opens its
 * own PGconn. Outages are not errors: it retries. *out_state is the
 * projection (stop it with projection_stop). CM_EINTERNAL when the
 * JetStream context or the thread cannot be created. */
cm_err projection_start(const struct cm_config *cfg, natsConnection *nc, void **out_state);

/* The on_stop hook: asks the thread to stop (an event being applied is
 * either committed and acked, or not acked and handed back for
 * redelivery), joins it and frees state. NULL is a no-op. */
void projection_stop(void *state);

/* Asks JetStream, within timeout_ms, whether the durable consumer has
 * caught up: *out_caught_up is 1 when it has no message pending delivery
 * and none delivered but unacknowledged (NumPending + NumAckPending == 0),
 * else 0. Returns CM_EUNAVAIL when JetStream cannot say (no NATS, no
 * stream or consumer yet, timeout). Blocking: for handler threads. */
cm_err projection_caught_up(natsConnection *nc, int timeout_ms, int *out_caught_up);

#endif
