/* api_client_json.h: the `api-clients` resource as the API shows it, built
 * from records (store.h, struct api_client_rec). Pure: no I/O. */
#ifndef IDENTITY_API_CLIENT_JSON_H
#define IDENTITY_API_CLIENT_JSON_H

#include <jansson.h>

#include "store.h"

/* The api-clients resource of c, with "api-key" when key is not NULL. NULL
 * when building failed (c->roles not a JSON array: a bug). */
json_t *api_client_json_resource(const struct api_client_rec *c, const char *key);

/* A JSON array of the resources of every client of l, in order (no keys). */
json_t *api_client_json_list(const struct api_client_list *l);

#endif
