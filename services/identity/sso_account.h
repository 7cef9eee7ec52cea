/* sso_account.h: the account an external identity provider signs in
 * (OpenID Connect and SAML alike): the user linked before to (issuer,
 * subject) while still a member of the organization; else the member with
 * the email the provider vouches for (then linked); else, when the
 * organization's policy is "provision", a new confirmed patient (username
 * = email, no password, with its events). */
#ifndef IDENTITY_SSO_ACCOUNT_H
#define IDENTITY_SSO_ACCOUNT_H

#include <jansson.h>

#include "cm_service.h"

/* Who the provider says signed in. */
struct sso_identity {
    const char *issuer, *organization_id, *account_policy; /* "link" or "provision" */
    const char *subject, *email;
    int email_verified;
    const char *given_name, *family_name; /* "" when unknown */
};

/* The user id of id into user_id (40 bytes). Call inside a transaction.
 * CM_EDENIED (recorded in rq) when no member matches and the policy is
 * "link" or the email is not verified; CM_ECONFLICT when several members
 * have the email or it belongs to an account outside the organization. */
cm_err sso_account_of(struct cm_req *rq, const struct sso_identity *id, char *user_id);

/* Signs user_id in after the provider vouched for them (no password, no
 * TOTP: the provider's checks apply): an interactive session with the
 * configured token lifetimes, its login response into *out (caller
 * json_decref). A refusal (auth_finish_login) is recorded in rq. */
cm_err sso_login(struct cm_req *rq, const char *user_id, json_t **out);

#endif
