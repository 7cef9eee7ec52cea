/* theme_json.h: the `organization-themes` resource from records
 * (store_themes.h). Pure: no I/O. */
#ifndef IDENTITY_THEME_JSON_H
#define IDENTITY_THEME_JSON_H

#include <jansson.h>

#include "store_themes.h"

/* The seed's attributes (created-by and last-modified-by as {first-name, id,
 * last-name} or null) plus is-active. */
json_t *theme_json_resource(const struct theme_rec *t);
json_t *theme_json_list(const struct theme_list *l);

#endif
