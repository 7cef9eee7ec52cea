/* store_agreements.h: what identity reads for the service-document check
 * of login and refresh (agreements_check.h): a user's organizations. */
#ifndef IDENTITY_STORE_AGREEMENTS_H
#define IDENTITY_STORE_AGREEMENTS_H

#include <libpq-fe.h>

#include "cm_err.h"

/* The organization ids user_id belongs to, as a JSON array text into
 * *out_json (caller frees; "[]" for none). */
cm_err store_user_org_ids(PGconn *pg, const char *user_id, char **out_json);

#endif
