/* store_impersonation.c: SQL of impersonation requests
 * (store_impersonation.h). */
#include "store_impersonation.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

#include "store.h"

#define IMP_COLUMNS                                                                                \
    "r.id::text AS id, r.user_id::text AS user_id, u.email AS user_email, "                        \
    "r.created_by::text AS created_by, r.organization_id::text AS organization_id, "               \
    "CASE WHEN r.state = 'approved' AND r.expires_at <= now() THEN 'expired' ELSE r.state END "    \
    "AS state, " STORE_TS("r.created_at") " AS created_at, " STORE_TS(                             \
        "r.expires_at") " AS expires_at, r.session_id::text AS session_id"

#define F(col, field)                                                                              \
    {                                                                                              \
        col, CM_PG_STR, offsetof(struct imp_rec, field)                                            \
    }
static const struct cm_pg_field imp_fields[] = {
    F("id", id),
    F("user_id", user_id),
    F("user_email", user_email),
    F("created_by", created_by),
    F("organization_id", organization_id),
    F("state", state),
    F("created_at", created_at),
    F("expires_at", expires_at),
    F("session_id", session_id),
};
#undef F

/* $1 all, $2 self */
#define IMP_VISIBLE "($1::bool OR r.created_by = $2::uuid OR r.user_id = $2::uuid)"

void store_imp_list_free(struct imp_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_imps_list(PGconn *pg, const struct imp_query *q, struct imp_list *out)
{
    const char *v[5] = {q->all ? "true" : "false", cm_pg_opt(q->self), cm_pg_opt(q->created_by),
                        cm_pg_opt(q->user_id), cm_pg_opt(q->user_email)};

    return CM_PG_SELECT(pg,
                        "SELECT " IMP_COLUMNS " FROM impersonation_requests r "
                        "JOIN users u ON u.id = r.user_id WHERE " IMP_VISIBLE
                        " AND ($3::uuid IS NULL OR r.created_by = $3::uuid)"
                        " AND ($4::uuid IS NULL OR r.user_id = $4::uuid)"
                        " AND ($5::text IS NULL OR lower(u.email) = lower($5))"
                        " ORDER BY r.created_at DESC, r.id LIMIT 1000",
                        5, v, imp_fields, out);
}

cm_err store_imp_get(PGconn *pg, const char *id, const struct imp_query *q, int lock,
                     struct imp_list *out)
{
    const char *v[3] = {q->all ? "true" : "false", cm_pg_opt(q->self), id};
    cm_err err = CM_PG_SELECT(
        pg,
        lock ? "SELECT " IMP_COLUMNS " FROM impersonation_requests r "
               "JOIN users u ON u.id = r.user_id WHERE r.id = $3::uuid AND " IMP_VISIBLE
               " FOR UPDATE OF r"
             : "SELECT " IMP_COLUMNS " FROM impersonation_requests r "
               "JOIN users u ON u.id = r.user_id WHERE r.id = $3::uuid AND " IMP_VISIBLE,
        3, v, imp_fields, out);

    if (err == CM_OK && out->n == 0) {
        store_imp_list_free(out);
        err = CM_ENOTFOUND;
    }
    return err;
}

cm_err store_imp_create(PGconn *pg, const char *user, const char *created_by, const char *org,
                        int ttl_s, struct imp_list *out)
{
    char ttl[16];
    const char *v[4] = {user, created_by, cm_pg_opt(org), ttl};

    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    return CM_PG_SELECT(pg,
                        "WITH r AS (INSERT INTO impersonation_requests (user_id, created_by, "
                        "organization_id, state, expires_at) VALUES ($1, $2, $3, 'approved', "
                        "now() + make_interval(secs => $4::int)) RETURNING *) "
                        "SELECT " IMP_COLUMNS " FROM r JOIN users u ON u.id = r.user_id",
                        4, v, imp_fields, out);
}

cm_err store_imp_used(PGconn *pg, const char *id, const char *session)
{
    const char *v[2] = {id, session};

    return cm_pg_command(pg,
                         "UPDATE impersonation_requests SET state = 'used', used_at = now(), "
                         "session_id = $2 WHERE id = $1",
                         2, v, NULL);
}

cm_err store_imp_ended(PGconn *pg, const char *id, int *ended)
{
    const char *v[1] = {id};
    long rows = 0;
    cm_err err =
        cm_pg_command(pg,
                      "UPDATE impersonation_requests SET state = 'ended', ended_at = now() "
                      "WHERE id = $1 AND state = 'used'",
                      1, v, &rows);

    if (err == CM_OK)
        *ended = rows > 0;
    return err;
}

cm_err store_imp_activity(PGconn *pg, const char *user, const char *type, const char *impersonator,
                          const char *session)
{
    const char *v[4] = {user, type, impersonator, cm_pg_opt(session)};

    return cm_pg_command(pg,
                         "INSERT INTO user_activities (user_id, event_type, carium_employee, "
                         "impersonator_id, session_id) SELECT id, $2, classification = 'carium', "
                         "$3::uuid, $4::uuid FROM users WHERE id = $1::uuid",
                         4, v, NULL);
}
