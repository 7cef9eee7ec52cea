/* cm_principal.h: who may see and change what, from the caller's Principal
 * (set by the edge from a verified access token or API key).
 *
 * Rules (README, "Tenancy"):
 *   - the platform admin (role "platform-admin") sees and manages everything;
 *   - an organization admin (role "admin" in the token's current
 *     organization) manages that organization: its users, roles, codes, API
 *     clients;
 *   - an API client acts in its own organization, with its roles ("admin"
 *     makes it an organization admin there);
 *   - a user reads and updates their own account, and reads the
 *     organizations they belong to;
 *   - anything else in another tenant answers 404, exactly as if it did not
 *     exist. */
#ifndef CM_PRINCIPAL_H
#define CM_PRINCIPAL_H

#include "cm_service.h"

/* The request's principal; never NULL (an anonymous one when absent). */
const Envelope__Principal *cm_principal_of(const struct cm_req *rq);

/* True when the caller is authenticated as a user or an API client. */
int cm_principal_authenticated(const struct cm_req *rq);

/* True when the caller holds role name (in its current organization). */
int cm_principal_has_role(const struct cm_req *rq, const char *name);

/* True for the platform administrator. */
int cm_principal_platform_admin(const struct cm_req *rq);

/* True when the caller administers organization_id: the platform admin, or
 * an organization admin whose current organization it is. */
int cm_principal_org_admin(const struct cm_req *rq, const char *organization_id);

/* True when user_id is the caller itself. */
int cm_principal_is_self(const struct cm_req *rq, const char *user_id);

/* CM_OK when the caller is authenticated, else CM_EUNAUTH with a detail. */
cm_err cm_principal_require(struct cm_req *rq);

/* CM_OK when the caller is a person signed in with their own token (a user
 * principal, not an API client), with their user id to *out_user (borrowed,
 * valid for the request) when out_user is not NULL. Otherwise, recorded in
 * rq: CM_EUNAUTH without credentials, CM_EDENIED with detail for another
 * caller. */
cm_err cm_principal_require_person(struct cm_req *rq, const char *detail, const char **out_user);

#endif
