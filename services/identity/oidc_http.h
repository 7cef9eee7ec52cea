/* oidc_http.h: the HTTP calls identity makes to an OpenID provider
 * (libcurl): discovery, JWKS and the token endpoint. Bounded in time
 * (OIDC_HTTP_TIMEOUT_MS) and size (OIDC_HTTP_MAX_BYTES), http and https
 * only, no redirects followed. Bodies are never logged. */
#ifndef IDENTITY_OIDC_HTTP_H
#define IDENTITY_OIDC_HTTP_H

#include <jansson.h>

#include "cm_err.h"

#define OIDC_HTTP_TIMEOUT_MS 5000
#define OIDC_HTTP_MAX_BYTES (256 * 1024)

/* GET url, or POST form (application/x-www-form-urlencoded, NULL: GET) with
 * HTTP Basic user:pass when user is not NULL. On CM_OK *status is the HTTP
 * status and *out the body parsed as a JSON object (caller json_decref).
 * CM_EUNAVAIL when the provider cannot be reached or answers something
 * that is not a JSON object. */
cm_err oidc_http_json(const char *url, const char *form, const char *user, const char *pass,
                      long *status, json_t **out);

/* Percent-encodes s (RFC 3986 unreserved kept) into a new string (caller frees). */
char *oidc_http_escape(const char *s);

#endif
