/* handlers_users_export.h: GET admin/users, the streamed user export of
 * the clinical messaging API (handlers_users_export.c). */
#ifndef MESSAGING_HANDLERS_USERS_EXPORT_H
#define MESSAGING_HANDLERS_USERS_EXPORT_H

#include "cm_service.h"

/* admin.users.list (GET /api/2015-02-01/admin/users?ou=&children=&format=):
 * the users of an OU, streamed as CSV (default) or JSON lines in chunks,
 * 204 when there are none. */
cm_err admin_users_list(struct cm_req *rq, struct cm_resp *out);

#endif
