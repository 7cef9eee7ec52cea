/* public_url.h: the suite's own URLs as the browser reached it, for the
 * callbacks identity hands to identity providers (OIDC redirector, SAML
 * ACS). */
#ifndef IDENTITY_PUBLIC_URL_H
#define IDENTITY_PUBLIC_URL_H

#include <stddef.h>

#include "cm_service.h"

/* "<scheme>://<Host><path>" into buf (cap bytes): the request's Host header
 * (required, at most 255 characters, no '/', '?', '#', '@', quotes or
 * blanks) and scheme https when X-Forwarded-Proto says https, else http.
 * CM_EINVAL (recorded in rq) without a usable Host. */
cm_err public_url(struct cm_req *rq, const char *path, char *buf, size_t cap);

#endif
