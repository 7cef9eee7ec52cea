/* onboarding_events.h: the events of onboarding requests, registration
 * invitations and service-document agreements (proto/onboarding.proto),
 * written to the outbox inside the caller's transaction (cm_outbox.h), so
 * that a change and its event commit together. Ids only. */
#ifndef ONBOARDING_EVENTS_H
#define ONBOARDING_EVENTS_H

#include <libpq-fe.h>

#include "cm_err.h"

#define ONBOARDING_EVT_REQUEST "evt.onboarding.onboarding_request."
#define ONBOARDING_EVT_INVITATION "evt.onboarding.registration_invitation."
#define ONBOARDING_EVT_AGREEMENTS "evt.onboarding.service_document_agreements."

/* OnboardingRequestChanged change for request id of organization_id;
 * user_id may be "" (or NULL). */
cm_err event_request(PGconn *pg, const char *change, const char *id, const char *organization_id,
                     const char *user_id);

/* RegistrationInvitationChanged. */
cm_err event_invitation(PGconn *pg, const char *change, const char *id, const char *organization_id,
                        const char *user_id);

/* ServiceDocumentAgreementsChanged. */
cm_err event_agreements(PGconn *pg, const char *change, const char *user_id, long count);

#endif
