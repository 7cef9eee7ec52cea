/* onboarding_access.h: who may onboard people into an organization
 * (onboarding requests, registration invitations, resend-invitation). */
#ifndef ONBOARDING_ACCESS_H
#define ONBOARDING_ACCESS_H

#include "cm_service.h"

/* True when the caller may onboard people into organization org: its admin
 * (user or API client) or the platform admin, or a user with role
 * "provider" whose current organization it is. */
int onboarding_may_onboard(struct cm_req *rq, const char *org);

/* True when the caller, who may onboard into org, may give role (an
 * onboarding request's provider-roles) to the person: an admin of org (or
 * the platform admin) any role, anyone else only a role it holds itself. */
int onboarding_may_give_role(struct cm_req *rq, const char *org, const char *role);

#endif
