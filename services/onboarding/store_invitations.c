/* store_invitations.c: SQL of registration invitations
 * (store_invitations.h). */
#include "store_invitations.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

#define RFC3339(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define INV_COLUMNS                                                                                \
    "id::text AS id, code, organization_id::text AS organization_id, invited_email, "              \
    "created_by, " RFC3339(                                                                        \
        "created_at") " AS created_time, coalesce(claimed_by::text, '') AS claimed_by, "           \
                      "coalesce(" RFC3339(                                                         \
                          "claimed_at") ", '') AS claimed_time, "                                  \
                                        "coalesce(last_invite::text, '') AS last_invite"

#define F(col, member)                                                                             \
    {                                                                                              \
        col, CM_PG_STR, offsetof(struct inv_rec, member)                                           \
    }
static const struct cm_pg_field inv_fields[] = {
    F("id", id),
    F("code", code),
    F("organization_id", organization_id),
    F("invited_email", invited_email),
    F("created_by", created_by),
    F("created_time", created_time),
    F("claimed_by", claimed_by),
    F("claimed_time", claimed_time),
    F("last_invite", last_invite),
};
#undef F

void store_inv_list_free(struct inv_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_inv_insert(PGconn *pg, const struct inv_rec *n, struct inv_list *out)
{
    const char *v[] = {n->code, n->organization_id, n->invited_email, n->created_by};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT_ONE(pg,
                            "INSERT INTO registration_invitations (code, organization_id, "
                            "invited_email, created_by) VALUES ($1, $2::uuid, $3, $4) "
                            "RETURNING " INV_COLUMNS,
                            4, v, inv_fields, out);
}

cm_err store_inv_get(PGconn *pg, const char *id, struct inv_list *out)
{
    const char *v[] = {id};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT_ONE(pg,
                            "SELECT " INV_COLUMNS " FROM registration_invitations "
                            "WHERE id = $1::uuid",
                            1, v, inv_fields, out);
}

cm_err store_inv_list(PGconn *pg, const char *organization_id, long limit, long offset,
                      struct inv_list *out)
{
    char lim[24], off[24];
    const char *v[] = {organization_id, lim, off};

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(pg,
                        "SELECT " INV_COLUMNS " FROM registration_invitations "
                        "WHERE organization_id = $1::uuid ORDER BY created_at, id "
                        "LIMIT $2::bigint OFFSET $3::bigint",
                        3, v, inv_fields, out);
}

cm_err store_inv_sent(PGconn *pg, const char *id, const char *invite)
{
    const char *v[] = {id, invite};

    return cm_pg_command(pg,
                         "UPDATE registration_invitations SET last_invite = $2::jsonb "
                         "WHERE id = $1::uuid",
                         2, v, NULL);
}

cm_err store_inv_claim_by_sign_up(PGconn *pg, const char *sign_up_id, struct inv_list *out)
{
    const char *v[] = {sign_up_id};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(pg,
                        "UPDATE registration_invitations i SET claimed_by = s.user_id, "
                        "claimed_at = now() FROM sign_up_requests s "
                        "WHERE s.id = $1::uuid AND s.referral_code <> '' "
                        "AND i.code = s.referral_code "
                        "AND i.organization_id = s.organization_id "
                        "AND i.claimed_at IS NULL "
                        "RETURNING i.id::text AS id, i.organization_id::text AS organization_id, "
                        "i.claimed_by::text AS claimed_by",
                        1, v, inv_fields, out);
}
