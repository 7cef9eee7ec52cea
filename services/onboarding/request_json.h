/* request_json.h: onboarding requests and onboarding-info as the API
 * shows them (pure). */
#ifndef ONBOARDING_REQUEST_JSON_H
#define ONBOARDING_REQUEST_JSON_H

#include <jansson.h>

#include "store_requests.h"

#define REQ_TYPE "onboarding-requests"

/* An onboarding-requests resource (OnboardingRequestAttrs, plus code,
 * username, auto-sign-up, auto-confirm, individual-group-ids,
 * notifications and account-step). */
json_t *request_resource(const struct req_rec *r);

/* An onboarding-info resource: the request's status and its organization
 * (display_name may be ""). */
json_t *request_info_resource(const struct req_rec *r, const char *display_name);

#include "store_invitations.h"

#define INV_TYPE "registration-invitations"

/* A registration-invitations resource (claimed-time, created-by,
 * created-time, invited-email, plus claimed-by, code, organization-id and
 * last-invite). */
json_t *invitation_resource(const struct inv_rec *i);

#endif
