/* role_json.h: the `roles` and `role-users` resources as the API shows them,
 * built from records (store_roles.h). Pure: no I/O. */
#ifndef IDENTITY_ROLE_JSON_H
#define IDENTITY_ROLE_JSON_H

#include <jansson.h>

#include "store_roles.h"

/* The roles resource of r. NULL when building failed. */
json_t *role_json_resource(const struct role_rec *r);

/* The role-users resource of ru (its id is an integer). NULL when building
 * failed. */
json_t *role_json_user_resource(const struct role_user_rec *ru);

/* A JSON array of the resources of every role of l, in order. */
json_t *role_json_list(const struct role_list *l);

/* A JSON array of the resources of every holder of l, in order. */
json_t *role_json_user_list(const struct role_user_list *l);

#endif
