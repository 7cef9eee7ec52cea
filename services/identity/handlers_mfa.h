/* handlers_mfa.h: TOTP multi-factor authentication (handlers_mfa.c), the
 * mfa-totp operations #55-#59. Login's side of it is mfa.h. */
#ifndef IDENTITY_HANDLERS_MFA_H
#define IDENTITY_HANDLERS_MFA_H

#include "cm_service.h"

#define MFA_ISSUER "Health" /* issuer shown by authenticator apps */

/* GET /v1/mfa-totp/ (#55): the configurations of filter[user-id] (default:
 * the caller). Only the platform admin, or an organization admin for a
 * member of their current organization, may name another user (403 for
 * others; 404 when the admin cannot see that user). 200, secrets omitted. */
cm_err mfa_totp_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/mfa-totp/ (#56), body {}: starts a setup for the calling user
 * with a new random secret. 201 with the configuration and, in this
 * response only, its secret (base32 key, provisioning URI, QR code PNG).
 * 409 when the user already keeps MFA_MAX_PENDING unfinished setups. */
cm_err mfa_totp_create(struct cm_req *rq, struct cm_resp *out);

/* DELETE /v1/mfa-totp/{id}/ (#57): deletes one of the caller's own
 * configurations that is not enabled. 204; 409 when enabled; 404 when not
 * the caller's. */
cm_err mfa_totp_delete(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/mfa-totp/{id}/disable/ (#58), body {password}: disables an
 * enabled configuration of the caller (or, for the platform admin, of
 * anyone: the password is then the admin's own). 201; 403 wrong password;
 * 409 not enabled. */
cm_err mfa_totp_disable(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/mfa-totp/{id}/enable/ (#59), body {codes: [2 strings],
 * password}: enables one of the caller's configurations when the password
 * is right (else 403) and the codes are those of two consecutive time steps
 * around now (else 400 on /codes). 201; 409 when it or another one of the
 * user's configurations is already enabled. */
cm_err mfa_totp_enable(struct cm_req *rq, struct cm_resp *out);

#endif
