/* store_saml.h: SQL of SAML sign-in (migration 013_saml_sso.sql):
 * providers, the AuthnRequests sent, assertions seen, provider sessions.
 * All parameterized. */
#ifndef IDENTITY_STORE_SAML_H
#define IDENTITY_STORE_SAML_H

#include <libpq-fe.h>
#include <stdint.h>

#include "cm_err.h"

struct saml_provider_rec {
    char id[40], organization_id[40], domain[256], account_policy[16];
    char idp_entity_id[1024], idp_sso_url[1024], idp_slo_url[1024], sp_entity_id[1024];
    char idp_cert_pem[16384];
};

/* The provider of email domain domain (lower case), or of id; *out caller
 * frees. CM_ENOTFOUND when none. */
cm_err store_saml_provider_by_domain(PGconn *pg, const char *domain,
                                     struct saml_provider_rec **out);
cm_err store_saml_provider_get(PGconn *pg, const char *id, struct saml_provider_rec **out);

/* An AuthnRequest id sent through provider, answering to next, valid ttl_s. */
cm_err store_saml_request_add(PGconn *pg, const char *id, const char *provider, const char *next,
                              int ttl_s);

/* Takes (deletes) the unexpired request id of provider: its next to next
 * (256 bytes). CM_ENOTFOUND when unknown, used, expired or another's. */
cm_err store_saml_request_take(PGconn *pg, const char *id, const char *provider, char *next);

/* Records assertion_id of provider as used until not_on_or_after (unix
 * time); CM_ECONFLICT when it was used already (a replay). */
cm_err store_saml_seen_add(PGconn *pg, const char *provider, const char *assertion_id,
                           int64_t not_on_or_after);

/* Ties the suite's session_id to the provider's (name_id, session_index). */
cm_err store_saml_session_add(PGconn *pg, const char *session_id, const char *provider,
                              const char *user_id, const char *name_id, const char *session_index);

/* Ends the provider sessions of (provider, name_id): their rows go, the
 * distinct users they belonged to (at most max) to users (40 bytes each),
 * their count to *n. */
cm_err store_saml_sessions_end(PGconn *pg, const char *provider, const char *name_id,
                               char (*users)[40], int max, int *n);

#endif
