/* impersonation_json.h: the `impersonation-requests` resource from records
 * (store_impersonation.h). Pure: no I/O. */
#ifndef IDENTITY_IMPERSONATION_JSON_H
#define IDENTITY_IMPERSONATION_JSON_H

#include <jansson.h>

#include "store_impersonation.h"

/* The resource of r: the seed's created-at, created-by, state, user {email,
 * id}, plus expires-at, organization-id and session-id (null when none). */
json_t *imp_json_resource(const struct imp_rec *r);

/* A JSON array of the resources of l, in order. */
json_t *imp_json_list(const struct imp_list *l);

#endif
