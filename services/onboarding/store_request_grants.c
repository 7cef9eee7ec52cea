/* store_request_grants.c: SQL of the grants step of onboarding requests
 * (store_request_grants.h). */
#include "store_request_grants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

#define F(col, member) {col, CM_PG_STR, offsetof(struct req_grant_rec, member)}
static const struct cm_pg_field grant_fields[] = {
    F("id", id),
    F("organization_id", organization_id),
    F("user_id", user_id),
    F("group_ids", group_ids),
    F("role_names", role_names),
};
#undef F

void store_req_grant_list_free(struct req_grant_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_req_grants_due(PGconn *pg, const char *user_id, long limit,
                            struct req_grant_list *out)
{
    char lim[24];
    const char *v[2] = {user_id, lim};

    snprintf(lim, sizeof lim, "%ld", limit);
    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(pg,
                        "SELECT id::text AS id, organization_id::text AS organization_id, "
                        "coalesce(claimed_by, patient)::text AS user_id, "
                        "individual_group_ids::text AS group_ids, "
                        "provider_roles::text AS role_names FROM onboarding_requests "
                        "WHERE NOT grants_applied "
                        "AND (individual_group_ids <> '[]' OR provider_roles <> '[]') "
                        "AND (claimed_by IS NOT NULL "
                        "OR (account_step = 'created' AND patient IS NOT NULL)) "
                        "AND ($1 = '' OR coalesce(claimed_by, patient)::text = $1) "
                        "ORDER BY created_at LIMIT $2::int",
                        2, v, grant_fields, out);
}

cm_err store_req_grants_applied(PGconn *pg, const char *id)
{
    const char *v[1] = {id};
    return cm_pg_command(pg,
                         "UPDATE onboarding_requests SET grants_applied = true "
                         "WHERE id = $1::uuid",
                         1, v, NULL);
}
