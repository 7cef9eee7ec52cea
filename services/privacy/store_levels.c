/* store_levels.c: privacy levels requested and set (see store_levels.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "store_levels.h"

/* Integer mask as text into buf. */
static const char *mask_text(char buf[16], int levels)
{
    snprintf(buf, 16, "%d", levels);
    return buf;
}

/* The first column of the one row of sql (or 0 when there is none). */
static cm_err one_mask(PGconn *pg, const char *sql, int n, const char *const *p, int *out)
{
    PGresult *res;
    cm_err err = cm_pg_query(pg, sql, n, p, &res);
    if (err != CM_OK)
        return err;
    *out = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return CM_OK;
}

cm_err store_group_request_set(PGconn *pg, const struct peer_group *g, int levels)
{
    char lv[16], num[32];
    const char *p[4] = {g->group_id, g->organization_id, num, mask_text(lv, levels)};

    snprintf(num, sizeof num, "%lld", g->number);
    if (levels == 0)
        return cm_pg_command(pg, "DELETE FROM group_requests WHERE group_id = $1::uuid", 1, p,
                             NULL);
    return cm_pg_command(pg,
                         "INSERT INTO group_requests (group_id, organization_id, group_number, "
                         "levels) VALUES ($1::uuid, $2::uuid, $3::bigint, $4::integer) "
                         "ON CONFLICT (group_id) DO UPDATE SET levels = EXCLUDED.levels, "
                         "updated_at = CASE WHEN group_requests.levels = EXCLUDED.levels "
                         "THEN group_requests.updated_at ELSE now() END",
                         4, p, NULL);
}

cm_err store_group_request_get(PGconn *pg, const char *group_id, int *out)
{
    const char *p[1] = {group_id};
    return one_mask(pg, "SELECT levels FROM group_requests WHERE group_id = $1::uuid", 1, p, out);
}

cm_err store_participant_request_set(PGconn *pg, const char *organization_id,
                                     const char *user_id, int levels)
{
    char lv[16];
    const char *p[3] = {organization_id, user_id, mask_text(lv, levels)};

    if (levels == 0)
        return cm_pg_command(pg,
                             "DELETE FROM participant_requests WHERE organization_id = $1::uuid "
                             "AND user_id = $2::uuid",
                             2, p, NULL);
    return cm_pg_command(pg,
                         "INSERT INTO participant_requests (organization_id, user_id, levels) "
                         "VALUES ($1::uuid, $2::uuid, $3::integer) "
                         "ON CONFLICT (user_id, organization_id) DO UPDATE SET "
                         "levels = EXCLUDED.levels, updated_at = CASE WHEN "
                         "participant_requests.levels = EXCLUDED.levels THEN "
                         "participant_requests.updated_at ELSE now() END",
                         3, p, NULL);
}

cm_err store_participant_request_get(PGconn *pg, const char *organization_id,
                                     const char *user_id, int *out)
{
    const char *p[2] = {organization_id, user_id};
    return one_mask(pg,
                    "SELECT levels FROM participant_requests WHERE organization_id = $1::uuid "
                    "AND user_id = $2::uuid",
                    2, p, out);
}

cm_err store_settings_set(PGconn *pg, const char *user_id, int levels)
{
    char lv[16];
    const char *p[2] = {user_id, mask_text(lv, levels)};
    return cm_pg_command(pg,
                         "INSERT INTO participant_settings (user_id, levels) "
                         "VALUES ($1::uuid, $2::integer) ON CONFLICT (user_id) DO UPDATE SET "
                         "levels = EXCLUDED.levels, reviewed_at = clock_timestamp()",
                         2, p, NULL);
}

cm_err store_settings_get(PGconn *pg, const char *user_id, int *out)
{
    const char *p[1] = {user_id};
    return one_mask(pg, "SELECT levels FROM participant_settings WHERE user_id = $1::uuid", 1, p,
                    out);
}

/* The group ids as a Postgres array literal "{a,b}" (uuids from authz,
 * checked there; the text is a parameter value, never SQL). Caller frees. */
static char *id_array(const struct peer_group *groups, size_t n)
{
    char *s = cm_xmalloc(n * 41 + 3), *p = s;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? "," : "", groups[i].group_id);
    *p++ = '}';
    *p = '\0';
    return s;
}

cm_err store_groups_requested(PGconn *pg, const struct peer_group *groups, size_t n, int *out)
{
    char *ids = id_array(groups, n);
    const char *p[1] = {ids};
    cm_err err = one_mask(pg,
                          "SELECT coalesce(bit_or(levels), 0) FROM group_requests "
                          "WHERE group_id = ANY($1::uuid[])",
                          1, p, out);
    free(ids);
    return err;
}

cm_err store_standing(PGconn *pg, const char *user_id, const struct peer_group *groups, size_t n,
                      struct standing *out)
{
    char *ids = id_array(groups, n);
    const char *p[2] = {user_id, ids};
    PGresult *res;
    cm_err err = cm_pg_query(
        pg,
        "WITH s AS (SELECT levels, reviewed_at FROM participant_settings WHERE user_id = $1::uuid), "
        "r AS (SELECT levels, updated_at FROM group_requests WHERE group_id = ANY($2::uuid[]) "
        "      UNION ALL "
        "      SELECT levels, updated_at FROM participant_requests WHERE user_id = $1::uuid) "
        "SELECT coalesce((SELECT levels FROM s), 0) AS set, "
        "       coalesce((SELECT bit_or(levels) FROM r), 0) AS requested, "
        "       EXISTS (SELECT 1 FROM r WHERE r.levels & ~coalesce((SELECT levels FROM s), 0) <> 0 "
        "               AND r.updated_at > coalesce((SELECT reviewed_at FROM s), '-infinity')) "
        "       AS notice",
        2, p, &res);

    free(ids);
    if (err != CM_OK)
        return err;
    out->set = atoi(cm_pg_col(res, 0, "set"));
    out->requested = atoi(cm_pg_col(res, 0, "requested"));
    out->notice = cm_pg_bool(res, 0, "notice");
    PQclear(res);
    return CM_OK;
}
