/* store_aggregation.h: aggregation requests
 * (migrations/005_aggregation_requests.sql). */
#ifndef PRIVACY_STORE_AGGREGATION_H
#define PRIVACY_STORE_AGGREGATION_H

#include <libpq-fe.h>

#include "cm_err.h"

/* Records what created_by asked (entries) and its result (both JSON text);
 * the new id into id (40 bytes). */
cm_err store_aggregation_create(PGconn *pg, const char *created_by, const char *entries,
                                const char *result, char *id);

/* Request id if created_by made it: entries and result as new JSON text
 * (caller frees both) and created-time into created (40 bytes).
 * CM_ENOTFOUND otherwise. */
cm_err store_aggregation_get(PGconn *pg, const char *id, const char *created_by, char **entries,
                             char **result, char *created);

#endif
