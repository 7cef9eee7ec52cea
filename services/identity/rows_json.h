/* rows_json.h: the list answer of identity's organizations, roles and
 * memberships lists, whose stores (store_orgs.h, store_roles.h) still
 * return a PGresult instead of records. Moved here from libcommon's
 * cm_jsonapi.h, which needs no libpq; to be retired once those stores
 * return records (STYLE.md §2, the users list is the model). */
#ifndef IDENTITY_ROWS_JSON_H
#define IDENTITY_ROWS_JSON_H

#include <jansson.h>
#include <libpq-fe.h>

#include "cm_service.h"

/* Answers 200 with the list document {"data": [row(res, 0), row(res, 1),
 * ...], "meta": {}} and clears res (a query result of the caller). */
void rows_json_respond(struct cm_resp *out, const struct cm_req *rq, PGresult *res,
                       json_t *(*row)(const PGresult *res, int i));

#endif
