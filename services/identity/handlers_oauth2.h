/* handlers_oauth2.h: OAuth2 / OpenID Connect sign-in (#60-#67):
 * oauth2-client-settings (handlers_oauth2_settings.c), and the journey
 * oauth2-launcher → the organization's OpenID provider → oauth2-redirector
 * → the application's redirect URI with a one-time code → oauth2-tokens
 * (handlers_oauth2_flow.c). Secrets, codes and tokens are never logged. */
#ifndef IDENTITY_HANDLERS_OAUTH2_H
#define IDENTITY_HANDLERS_OAUTH2_H

#include "cm_service.h"
#include "store_oauth2.h"

/* GET /v1/oauth2-client-settings/ (#60): organization-id required, the
 * caller an administrator of it (or platform admin), else 403; filter[name],
 * page[limit], page[offset]; 200. */
cm_err oauth2_settings_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/oauth2-client-settings/ (#61): name, organization-id,
 * redirect-uris (1..10 http(s) URLs), optionally scopes (must hold
 * "openid"), issuer, provider-client-id, provider-client-secret and
 * account-policy ("link" or "provision"); 201 with the new client-id and
 * secret (shown only here and by reset-secret). 403 for a caller who is not
 * an administrator of the organization, 409 for an issuer already used. */
cm_err oauth2_settings_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/oauth2-client-settings/{id}/ (#62): 200, secret null; 404 when
 * unknown or not the caller's to administer. */
cm_err oauth2_settings_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/oauth2-client-settings/{id}/ (#63): the create attributes but
 * organization-id; 200 (secret null); 404 as read. */
cm_err oauth2_settings_update(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/oauth2-client-settings/{id}/reset-secret/ (#64): a new secret
 * (the old one stops working at once); 201 with it; 404 as read. */
cm_err oauth2_settings_reset_secret(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/oauth2-launcher/?iss=&launch= (#65): anonymous. Finds the
 * settings whose issuer is iss, reads the provider's discovery document and
 * answers 302 to its authorization endpoint (code flow, PKCE S256, state,
 * nonce, launch forwarded). 404 for an unknown issuer, 409 when the
 * provider's client id is not configured, 503 when the provider cannot be
 * reached. */
cm_err oauth2_launcher(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/oauth2-redirector/?code=&state= (#66): anonymous, the provider's
 * callback. Takes the launch of state (once), trades code for tokens with
 * the PKCE verifier, verifies the ID token (oidc_jwt.h), finds or makes the
 * account by the organization's policy and answers 302 to the settings'
 * first redirect URI with a one-time code (valid 60 s) and state = launch.
 * 400 for an unknown, used or expired state, a provider error or a refused
 * code; 401 for an ID token that fails verification; 403 when no member
 * matches and the policy is "link"; 409 when the email belongs to an
 * account outside the organization. */
cm_err oauth2_redirector(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/oauth2-tokens/ (#67): client_id, client_secret, code,
 * grant_type "authorization_code", redirect_uri (optional, must be the
 * settings' first). 201 with the login response (handlers_auth.h). 401 for
 * a wrong client, 400 for an unknown, used or expired code, 403 for a
 * disabled account. */
cm_err oauth2_tokens(struct cm_req *rq, struct cm_resp *out);

/* ---- shared (oauth2_json.c, pure) ---- */

/* The oauth2-client-settings resource of r, with secret (NULL: null). */
json_t *oauth2_settings_json(const struct oauth2_client_rec *r, const char *secret);

#endif
