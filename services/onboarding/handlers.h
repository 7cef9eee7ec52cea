/* handlers.h: the onboarding daemon's operation and RPC tables, and its handlers.
 * onboarding owns sign-up, organization codes, invitations, onboarding requests, service documents and check-ins. */
#ifndef ONBOARDING_HANDLERS_H
#define ONBOARDING_HANDLERS_H

#include "cm_service.h"

/* Events onboarding publishes (through its outbox, cm_outbox.h). */
/* SignUpChanged: ONBOARDING_EVT_SIGN_UP "created" → "evt.onboarding.sign_up.created" (also confirmed) */
#define ONBOARDING_EVT_SIGN_UP "evt.onboarding.sign_up."
/* OrganizationCodeChanged: created, updated */
#define ONBOARDING_EVT_ORGANIZATION_CODE "evt.onboarding.organization_code."
/* Onboarding requests, registration invitations and agreements:
 * onboarding_events.h. */

/* Every operation of the API documents that onboarding owns; handler NULL = 501. */
extern const struct cm_op onboarding_ops[];

/* Typed RPCs served on "onboarding.rpc.<Method>". */
extern const struct cm_rpc onboarding_rpcs[];

/* --- organization codes (handlers_codes.c). Who: the platform admin, or an
 * organization admin of the code's organization; anyone else gets 404 (401
 * without credentials). --- */

/* GET /v1/organization-codes/ (#76): the codes the caller administers; 200. */
cm_err codes_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/organization-codes/ (#77): a new code (attributes.id, or a
 * generated one) for an existing organization; 201, 409 for a taken id. */
cm_err codes_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/organization-codes/{id}/ (#78); 200. */
cm_err codes_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/organization-codes/{id}/ (#79): expires-at, enrollment-schema,
 * individual-group-id (null clears); 200. */
cm_err codes_update(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/organization-codes/{id}/users/ (#80): who signed up with it; 200. */
cm_err codes_users(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/organization-code-info/{id}/ (#75): anonymous; what a sign-up
 * form shows; 404 for unknown and expired codes; 200. */
cm_err code_info(struct cm_req *rq, struct cm_resp *out);

/* --- sign-up (handlers_sign_up.c), anonymous --- */

/* POST /v1/sign-up/ (#129): an unconfirmed account in the code's
 * organization, and a confirmation code sent to the person; 201. The
 * sign-up is recorded before identity is asked: when identity does not
 * answer, 5xx and the same sign-up again (or the sweeper) finishes it.
 * 429 with Retry-After past the limits of store_limits.h. */
cm_err sign_up(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/confirm-sign-up/ (#17): the code confirms the account, and with
 * login: true starts a session; 201. Every failure is the same 400 whether
 * the username exists or not; 429 with Retry-After past the limits. */
cm_err confirm_sign_up(struct cm_req *rq, struct cm_resp *out);

/* --- onboarding requests (handlers_requests.c). Who: an admin of the
 * request's organization (or the platform admin), or a provider whose
 * current organization it is; others get 404 and an empty list. --- */

/* GET /v1/onboarding-requests/ (#69): organization (required), email,
 * onboard-type (default patient), patient-ids, paging; 200. */
cm_err requests_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/onboarding-requests/ (#70): recorded first, then the account
 * (auto-sign-up: identity.rpc.CreateAccount with the id chosen here,
 * ConfirmAccount with auto-confirm), then the invitations on the channels
 * of notifications (and email-user-now); 201. */
cm_err requests_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/onboarding-requests/{id}/ (#71); 200. */
cm_err requests_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/onboarding-requests/{id}/ (#72): email (patient-email),
 * phone-number, notifications; 409 once claimed; 200. */
cm_err requests_update(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/onboarding-requests/{id}/resend-notifications/ (#73): the
 * invitations again (type onboarding-requests-email); 409 once claimed;
 * 201 with the request and its last-invite. */
cm_err requests_resend(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/onboarding-info/ (#68), anonymous: the request of code (else
 * email, else phone-number): its status and organization; 404 when none;
 * 201. Limited per client address as sign-up is. */
cm_err onboarding_info(struct cm_req *rq, struct cm_resp *out);

/* --- registration invitations (handlers_registration.c): who as
 * onboarding requests; others get 404 and empty lists. --- */

/* GET /v1/registration-invitations/ (#112): those of organization-id
 * (default: the caller's current organization); 200. */
cm_err reg_invitations_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/registration-invitations/ (#113): invited-email (required),
 * organization-id (default: the caller's current organization); recorded,
 * then emailed; 201. */
cm_err reg_invitations_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/registration-invitations/{id}/ (#114); 200. */
cm_err reg_invitations_read(struct cm_req *rq, struct cm_resp *out);

/* --- invitations around onboarding requests (handlers_invites.c) --- */

/* POST /v1/resend-invitation/ (#117): the open onboarding request of
 * username (or the deprecated email), in an organization the caller
 * onboards into, is sent again on notifications (else the request's
 * channels), to new-email when given (which replaces its email); 201
 * {signup-request-id, signup-request-type: "onboard"}; 404 when none. */
cm_err resend_invitation(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/onboarding-texts/{id}/update-status/ (#74): the delivery status
 * (attributes status: sent, delivered, failed, undelivered; error) of the
 * SMS invitation whose messaging id is {id}, reported by an admin of the
 * request's organization (an SMS gateway's API client); 201 {}. */
cm_err onboarding_texts_update_status(struct cm_req *rq, struct cm_resp *out);

/* --- service documents (handlers_documents.c), anonymous --- */

/* GET /v1/service-documents/ (#126): latest (required) true → the current
 * version of each document; the platform's documents and those of
 * organizations[] (≤10 uuids), organization-code and referral-code (an
 * organization code; unknown or expired → 404); 200. */
cm_err service_documents_list(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/service-documents/{id}/ (#127): html adds the content, locale
 * picks a translation, reflow prefixes a reflow style; 200, 404. */
cm_err service_documents_read(struct cm_req *rq, struct cm_resp *out);

/* --- user check-ins (handlers_checkins.c) --- */

/* POST /v1/user-checkins/ (#137): the calling person's device and app
 * (source android/ios/web required); 201; 403 for API clients. */
cm_err checkins_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/user-checkins/ (#136): individual-id's check-ins, newest first,
 * for the person, an admin of the organization they checked in from, or
 * the platform admin (others: an empty list); 200. */
cm_err checkins_list(struct cm_req *rq, struct cm_resp *out);

#endif
