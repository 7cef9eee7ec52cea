/* store_groups_members.c: the individuals, leaders and members of groups,
 * each change logged in group_logs, and the checks that a user or an
 * individual belongs to a group's organization (store_groups.h). */
#include <stdio.h>

#include "store_groups_rows.h"

/* The fixed SQL of each subject kind. */
static const struct {
    const char *name;
    const char *add;
    const char *remove;
    const char *ids;
} subjects[] = {
    [GS_INDIVIDUAL] = {"individual",
                       "INSERT INTO group_individuals (group_id, individual_id, added_by) "
                       "VALUES ($1::uuid, $2::uuid, $3::uuid) ON CONFLICT DO NOTHING",
                       "DELETE FROM group_individuals WHERE group_id = $1::uuid "
                       "AND individual_id = $2::uuid",
                       "SELECT individual_id AS id FROM group_individuals "
                       "WHERE group_id = $1::uuid ORDER BY added_at, individual_id"},
    [GS_LEADER] = {"leader",
                   "INSERT INTO group_leaders (group_id, user_id, added_by) "
                   "VALUES ($1::uuid, $2::uuid, $3::uuid) ON CONFLICT DO NOTHING",
                   "DELETE FROM group_leaders WHERE group_id = $1::uuid AND user_id = $2::uuid",
                   "SELECT user_id AS id FROM group_leaders WHERE group_id = $1::uuid "
                   "ORDER BY added_at, user_id"},
    [GS_MEMBER] = {"member",
                   "INSERT INTO group_members (group_id, user_id, added_by) "
                   "VALUES ($1::uuid, $2::uuid, $3::uuid) ON CONFLICT DO NOTHING",
                   "DELETE FROM group_members WHERE group_id = $1::uuid AND user_id = $2::uuid",
                   "SELECT user_id AS id FROM group_members WHERE group_id = $1::uuid "
                   "ORDER BY added_at, user_id"},
};

const char *gs_subject_name(enum gs_subject s)
{
    return subjects[s].name;
}

/* Logs event ("add" / "remove") of subject id in group. */
static cm_err log_subject(PGconn *pg, const char *group, enum gs_subject s, const char *id,
                          const char *event, const char *by)
{
    const char *values[5] = {group, subjects[s].name, id, event, cm_pg_opt(by)};
    return cm_pg_command(
        pg,
        "INSERT INTO group_logs (group_id, subject, subject_id, event, created_by) "
        "VALUES ($1::uuid, $2, $3::uuid, $4, $5::uuid)",
        5, values, NULL);
}

/* Runs the add or remove statement sql and logs event when it changed. */
static cm_err change(PGconn *pg, const char *sql, const char *group, enum gs_subject s,
                     const char *id, const char *event, const char *by, int *changed)
{
    const char *values[3] = {group, id, cm_pg_opt(by)};
    long rows = 0;
    cm_err err = cm_pg_command(pg, sql, sql == subjects[s].add ? 3 : 2, values, &rows);

    if (err == CM_OK && rows > 0)
        err = log_subject(pg, group, s, id, event, by);
    if (err == CM_OK)
        *changed = rows > 0;
    return err;
}

cm_err gs_subject_add(PGconn *pg, const char *group, enum gs_subject s, const char *id,
                      const char *by, int *changed)
{
    return change(pg, subjects[s].add, group, s, id, "add", by, changed);
}

cm_err gs_subject_remove(PGconn *pg, const char *group, enum gs_subject s, const char *id,
                         const char *by, int *changed)
{
    return change(pg, subjects[s].remove, group, s, id, "remove", by, changed);
}

cm_err gs_subject_ids(PGconn *pg, const char *group, enum gs_subject s, struct id_list *out)
{
    static const struct cm_pg_field fields[] = {GS_F(id_rec, CM_PG_STR, id)};
    const char *values[1] = {group};
    return CM_PG_SELECT(pg, subjects[s].ids, 1, values, fields, out);
}

cm_err gs_org_user(PGconn *pg, const char *org, const char *id, const char *email,
                   char out[GS_ID_LEN])
{
    const char *values[3] = {org, cm_pg_opt(id), cm_pg_opt(email)};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id "
                             "AND m.organization_id = $1::uuid "
                             "WHERE ($2::uuid IS NOT NULL AND u.id = $2::uuid) "
                             "OR ($2::uuid IS NULL AND lower(u.email) = lower($3)) LIMIT 2",
                             3, values, &res);

    if (err != CM_OK)
        return err;
    err = PQntuples(res) == 1 ? CM_OK : PQntuples(res) == 0 ? CM_ENOTFOUND : CM_ECONFLICT;
    if (err == CM_OK)
        snprintf(out, GS_ID_LEN, "%s", cm_pg_col(res, 0, "id"));
    PQclear(res);
    return err;
}

cm_err gs_org_individual(PGconn *pg, const char *org, const char *id)
{
    const char *values[2] = {org, id};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "SELECT 1 FROM individuals WHERE id = $2::uuid "
                               "AND owner_id = $1::uuid",
                               2, values, &rows);

    return err == CM_OK && rows != 1 ? CM_ENOTFOUND : err;
}

/* The rows of kind s of the groups in ids_json. */
static const char *details_sql(enum gs_subject s)
{
    static const char *const sql[] = {
        [GS_INDIVIDUAL] =
            "SELECT gi.group_id, i.id, i.owner_id, i.first_name, i.last_name, i.email, "
            "i.birth_date, i.email_verified, i.phone_verified, i.registered "
            "FROM group_individuals gi JOIN individuals i ON i.id = gi.individual_id "
            "WHERE gi.group_id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid) "
            "ORDER BY gi.group_id, gi.added_at, i.id",
        [GS_LEADER] = "SELECT l.group_id, l.user_id AS id, l.added_by, u.email, u.first_name, "
                      "u.last_name, u.username, u.enabled, "
                      "(SELECT i.id FROM individuals i WHERE i.user_id = l.user_id "
                      "ORDER BY i.created_at LIMIT 1) AS individual_id "
                      "FROM group_leaders l LEFT JOIN users u ON u.id = l.user_id "
                      "WHERE l.group_id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid) "
                      "ORDER BY l.group_id, l.added_at, l.user_id",
        [GS_MEMBER] = "SELECT m.group_id, m.user_id AS id, m.added_by, u.email, u.first_name, "
                      "u.last_name, u.username, u.enabled, "
                      "(SELECT i.id FROM individuals i WHERE i.user_id = m.user_id "
                      "ORDER BY i.created_at LIMIT 1) AS individual_id "
                      "FROM group_members m LEFT JOIN users u ON u.id = m.user_id "
                      "WHERE m.group_id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid) "
                      "ORDER BY m.group_id, m.added_at, m.user_id",
    };
    return sql[s];
}

cm_err gs_details_individuals(PGconn *pg, const char *ids_json, struct individual_list *out)
{
    const char *values[1] = {ids_json};
    return CM_PG_SELECT(pg, details_sql(GS_INDIVIDUAL), 1, values, individual_fields, out);
}

cm_err gs_details_people(PGconn *pg, const char *ids_json, enum gs_subject s,
                         struct person_list *out)
{
    const char *values[1] = {ids_json};
    if (s == GS_INDIVIDUAL)
        return CM_EINVAL;
    return CM_PG_SELECT(pg, details_sql(s), 1, values, person_fields, out);
}
