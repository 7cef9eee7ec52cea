/* archive_json.h: an archive request as its JSON:API resource. Pure. */
#ifndef PRIVACY_ARCHIVE_JSON_H
#define PRIVACY_ARCHIVE_JSON_H

#include <jansson.h>

#include "store_archive.h"

/* {"type": "archive-requests", "id", "attributes": {created-by,
 * created-time, email, individual-id, interview-id, last-modified-time,
 * request-state}}: a new object. */
json_t *archive_json(const struct archive_rec *rec);

#endif
