/* onboarding_notify.h: the invitation of an onboarding request, sent
 * through messaging.rpc.Deliver with template type "onboarding" /
 * "onboarding-provider" / "registration-invitation" and the variables
 * url (ONBOARDING_URL?code=<code>), code, organization_name.
 *
 * MERGE (email-dsn): messaging publishes no delivery events yet. When it
 * does, a consumer of bounce events sets onboarding_requests.email_dsn
 * ({id, type "email-dsn", attributes {bounce {type, subtype}, email, state
 * "bounced", created-at, status-at}}) on the requests whose
 * last_invite_email->>'id' is the bounced message's id; the API shows that
 * column as `email-dsn` already (request_json.c). */
#ifndef ONBOARDING_NOTIFY_H
#define ONBOARDING_NOTIFY_H

#include "cm_service.h"
#include "store_requests.h"

#define NOTIFY_KIND_PATIENT "onboarding"
#define NOTIFY_KIND_PROVIDER "onboarding-provider"
#define ONBOARDING_URL_DEFAULT "https://app.example.com/onboarding"

/* Invites the person of request r on channel ("email" | "sms"): records
 * last-invite.<channel> as "created" first, asks messaging, then records
 * "sent" (with messaging's id) or "error" (with its detail). CM_EINVAL
 * when r has no address for channel (nothing sent); otherwise CM_OK even
 * when the send failed (the failure is in last-invite), unless the
 * database failed. */
cm_err notify_invite(struct cm_worker *w, const struct req_rec *r, const char *channel);

#include "store_invitations.h"

#define NOTIFY_KIND_REGISTRATION "registration-invitation"

/* Invites invited_email of invitation i by email, recording the send in
 * its last_invite as notify_invite does (created first, then sent or
 * error). CM_OK unless the database failed. */
cm_err notify_registration(struct cm_worker *w, const struct inv_rec *i);

#endif
