/* store_clinical_services.h: messaging's SQL for the services of an OU
 * (admin/services) and the pagers assigned to them (pager/service). A
 * write and its outbox event commit together. */
#ifndef MESSAGING_STORE_CLINICAL_SERVICES_H
#define MESSAGING_STORE_CLINICAL_SERVICES_H

#include <jansson.h>
#include <libpq-fe.h>

#include "cm_err.h"

/* The services of OU org_id in order, as a new JSON array to *out. */
cm_err store_clinical_services_get(PGconn *pg, const char *org_id, json_t **out);

/* Replaces the services of org_id with services (JSON array of distinct
 * names) in one transaction with its event: users and pagers holding an
 * old service of user_updates (a JSON object old → array of new names,
 * all in services; {} for none) get the new ones instead (a pager the first); services no
 * longer listed are cleared from users and pagers. A warning (text) for
 * each pager so unassigned is appended to warnings (a JSON array). */
cm_err store_clinical_services_put(PGconn *pg, const char *org_id, const json_t *services,
                                   const json_t *user_updates, json_t *warnings);

/* The pagers of org_id as a new JSON array of {pager_number, service}. */
cm_err store_clinical_pagers_get(PGconn *pg, const char *org_id, json_t **out);

/* Assigns pager to service of org_id ("" unassigns), with its event.
 * CM_ENOTFOUND when service is not a service of the OU. */
cm_err store_clinical_pager_set(PGconn *pg, const char *org_id, const char *pager,
                                const char *service);

#endif
