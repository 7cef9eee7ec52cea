/* deletion_json.h: a deletion request as its JSON:API resource. Pure. */
#ifndef PRIVACY_DELETION_JSON_H
#define PRIVACY_DELETION_JSON_H

#include <jansson.h>

#include "store_deletion.h"

/* {"type": "deletion-requests", "id", "attributes": {archive, created-by,
 * created-time, email, individual-id, progress [{app, operation, state}],
 * status, type}}: a new object. Once done, created-by and email are null
 * (the tombstone). */
json_t *deletion_json(const struct deletion_rec *rec);

#endif
