/* anon_json.h: an anonymous access as its JSON:API resource. Pure. */
#ifndef PRIVACY_ANON_JSON_H
#define PRIVACY_ANON_JSON_H

#include <jansson.h>

#include "store_anon.h"

/* {"type": "anonymous-accesses", "id", "attributes": {allowed-endpoints,
 * created-at, expired-at, last-modified-at, user-id}}: a new object. */
json_t *anon_json(const struct anon_rec *rec);

#endif
