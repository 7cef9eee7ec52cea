/* onboarding_events.c: outbox events of requests, invitations and
 * agreements (onboarding_events.h). */
#include "onboarding_events.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cm_outbox.h"
#include "cm_time.h"
#include "onboarding.pb-c.h"

cm_err event_request(PGconn *pg, const char *change, const char *id, const char *organization_id,
                     const char *user_id)
{
    Onboarding__OnboardingRequestChanged ev = ONBOARDING__ONBOARDING_REQUEST_CHANGED__INIT;
    char subject[96], at[40];

    cm_time_rfc3339_now(at);
    snprintf(subject, sizeof subject, "%s%s", ONBOARDING_EVT_REQUEST, change);
    ev.onboarding_request_id = (char *)id;
    ev.change = (char *)change;
    ev.organization_id = (char *)organization_id;
    ev.user_id = (char *)(user_id ? user_id : "");
    ev.occurred_at = at;
    return cm_outbox_add(pg, subject, &ev.base, NULL);
}

cm_err event_invitation(PGconn *pg, const char *change, const char *id, const char *organization_id,
                        const char *user_id)
{
    Onboarding__RegistrationInvitationChanged ev =
        ONBOARDING__REGISTRATION_INVITATION_CHANGED__INIT;
    char subject[96], at[40];

    cm_time_rfc3339_now(at);
    snprintf(subject, sizeof subject, "%s%s", ONBOARDING_EVT_INVITATION, change);
    ev.registration_invitation_id = (char *)id;
    ev.change = (char *)change;
    ev.organization_id = (char *)organization_id;
    ev.user_id = (char *)(user_id ? user_id : "");
    ev.occurred_at = at;
    return cm_outbox_add(pg, subject, &ev.base, NULL);
}

cm_err event_agreements(PGconn *pg, const char *change, const char *user_id, long count)
{
    Onboarding__ServiceDocumentAgreementsChanged ev =
        ONBOARDING__SERVICE_DOCUMENT_AGREEMENTS_CHANGED__INIT;
    char subject[96], at[40];

    cm_time_rfc3339_now(at);
    snprintf(subject, sizeof subject, "%s%s", ONBOARDING_EVT_AGREEMENTS, change);
    ev.user_id = (char *)user_id;
    ev.change = (char *)change;
    ev.documents_count = count;
    ev.occurred_at = at;
    return cm_outbox_add(pg, subject, &ev.base, NULL);
}
