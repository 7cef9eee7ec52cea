/* org_json.h: the organizations-side resources as the API shows them, built
 * from records (store_orgs.h): organizations (#101-#104) and
 * user-organizations (memberships, #142/#143).
 * Pure: no I/O. */
#ifndef IDENTITY_ORG_JSON_H
#define IDENTITY_ORG_JSON_H

#include <jansson.h>

#include "store_orgs.h"

/* The organizations resource of o. NULL when building failed. */
json_t *org_json_resource(const struct org_rec *o);

/* A JSON array of the resources of every organization of l, in order. */
json_t *org_json_list(const struct org_list *l);

/* The user-organizations resource of m; its id is "<user-id>:<org-id>".
 * NULL when building failed. */
json_t *org_json_membership(const struct membership_rec *m);

/* A JSON array of the resources of every membership of l, in order. */
json_t *org_json_membership_list(const struct membership_list *l);

#endif
