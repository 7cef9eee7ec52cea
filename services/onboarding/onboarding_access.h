/* onboarding_access.h: who may onboard people into an organization
 * (onboarding requests, registration invitations, resend-invitation). */
#ifndef ONBOARDING_ACCESS_H
#define ONBOARDING_ACCESS_H

#include "cm_service.h"

/* True when the caller may onboard people into organization org: its admin
 * (user or API client) or the platform admin, or a user with role
 * "provider" whose current organization it is. */
int onboarding_may_onboard(struct cm_req *rq, const char *org);

#endif
