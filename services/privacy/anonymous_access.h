/* anonymous_access.h: the allow-list of an anonymous access, read from
 * requests and matched against proxied calls. Pure, unit-tested.
 *
 * An entry is {service, path, method}: service one of identity, authz,
 * messaging, onboarding, privacy (the owner of path, as the edge routes
 * it); path an exact path ("/v1/password-strength/"), 1..255 characters,
 * starting with '/', never the anonymous accesses' own; method delete,
 * get, patch or post (any case; stored lower-case). At most 32 entries, at
 * least 1. */
#ifndef PRIVACY_ANONYMOUS_ACCESS_H
#define PRIVACY_ANONYMOUS_ACCESS_H

#include <jansson.h>
#include <stddef.h>

#include "cm_err.h"

#define ANON_ENDPOINTS_MAX 32

/* Checks list (a JSON value) and returns a normalised copy (methods
 * lower-case, only the three members) into *out (caller json_decref). On
 * CM_EINVAL the index at fault to *out_index (-1: the list itself) and a
 * message to err (cap bytes). */
cm_err anon_endpoints_read(const json_t *list, json_t **out, int *out_index, char *err,
                           size_t cap);

/* The service that list allows method (any case) on path for, NULL when
 * none. Borrowed from list. */
const char *anon_endpoint_match(const json_t *list, const char *method, const char *path);

#endif
