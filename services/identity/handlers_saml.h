/* handlers_saml.h: SAML 2.0 sign-in (#123-#125, handlers_saml.c), the
 * identity provider of an organization found by email domain
 * (store_saml.h). Assertions, names and tokens are never logged. */
#ifndef IDENTITY_HANDLERS_SAML_H
#define IDENTITY_HANDLERS_SAML_H

#include "cm_service.h"

/* GET /v1/saml-login/?domain=&email-address=&next= (#125): anonymous.
 * 302 to the provider of domain with an AuthnRequest (HTTP-Redirect
 * binding; valid 10 minutes, answered once). next, when given, must be a
 * path on this site ("/..."), handed back as the login's redirect-url.
 * 400 for a bad domain or next, 404 for a domain without a provider. */
cm_err saml_login(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/saml-acs/{id}/acs/ (#123): SAMLResponse (base64) and RelayState,
 * as a form (the HTTP-POST binding) or JSON. Verifies it (saml_xml.h),
 * refuses a replayed assertion and a response to no pending request of
 * this provider, finds or makes the account (sso_account.h) and answers
 * 201 with the login response (redirect-url = the request's next).
 * 404 for an unknown provider, 400 for a malformed response, 401 for one
 * that fails verification, is replayed or answers no request; 403 as
 * sso_account_of. */
cm_err saml_acs(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/saml-acs/{id}/logout/ (#124): the provider's LogoutRequest
 * (HTTP-Redirect binding: SAMLRequest, RelayState, SigAlg RSA-SHA256 and
 * Signature, required). Ends every session of the users the provider's
 * sessions of that NameID signed in (their tokens stop at once,
 * revoke.h), then answers 302 to the provider's SLO URL with a
 * LogoutResponse (unsigned) and the RelayState, or 200 when the provider
 * has none. 404 for an unknown provider, 400 for a malformed request,
 * 401 for a missing or wrong signature, another issuer or an expired
 * request. */
cm_err saml_logout(struct cm_req *rq, struct cm_resp *out);

#endif
