/* feature_json.h: the `features`, `organization-features` and
 * `user-features` resources as the API shows them, built from records
 * (store_features.h). Pure: no I/O. */
#ifndef IDENTITY_FEATURE_JSON_H
#define IDENTITY_FEATURE_JSON_H

#include <jansson.h>

#include "store_features.h"

/* The features resource of f; with_enabled adds "enabled", f's effective
 * value for the subject the list was read for (features_resolve.h). NULL
 * when building failed. */
json_t *feature_json_resource(const struct feature_rec *f, int with_enabled);

/* A JSON array of the resources of l, in order. */
json_t *feature_json_list(const struct feature_list *l, int with_enabled);

/* The organization-features (user = 0) or user-features (user = 1)
 * resource of layer r. */
json_t *feature_json_layer(const struct layer_rec *r, int user);

/* A JSON array of the layer resources of l, in order. */
json_t *feature_json_layer_list(const struct layer_list *l, int user);

#endif
