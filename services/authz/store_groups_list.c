/* store_groups_list.c: the lists of groups (with every filter of #39 and
 * #156), of a group's individuals and leaders, of group logs, and of the
 * people eligible for a group (store_groups.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cm_alloc.h"

#include "store_access_rules.h"
#include "store_groups_rows.h"

/* The groups the caller may read: the rule group:G:read of
 * store_access_rules.h (the one the per-group check uses) for $1 the
 * caller's user id (NULL for none) when that user is enabled (everything for
 * the platform admin), and the token's shortcuts: $2 the organization its
 * token makes it admin of (NULL for none) and $3 true for the platform
 * admin. Defines the CTE "visible (id)". */
#define VISIBLE_CTE                                                                                \
    "WITH visible AS (SELECT g.id FROM groups g WHERE $3::bool OR g.organization_id = $2::uuid "   \
    "  OR EXISTS (SELECT 1 FROM users u WHERE u.id = $1::uuid AND u.enabled AND "                  \
    "u.platform_admin) "                                                                           \
    " UNION " RULE_OF_ME(RULE_GROUP_READ) "  AND EXISTS (SELECT 1 FROM users u WHERE u.id = "      \
                                          "$1::uuid AND u.enabled)) "

/* $1..$3 of VISIBLE_CTE from sc. */
static void scope_values(const struct gs_scope *sc, const char **values)
{
    values[0] = cm_pg_opt(sc->user_id);
    values[1] = cm_pg_opt(sc->admin_org);
    values[2] = sc->all ? "true" : "false";
}

cm_err gs_groups_list(PGconn *pg, const struct gs_scope *sc, const struct gs_list_query *q,
                      struct group_list *out)
{
    char limit[24], offset[24];
    const char *values[26];

    snprintf(limit, sizeof limit, "%ld", q->limit);
    snprintf(offset, sizeof offset, "%ld", q->offset);
    scope_values(sc, values);
    values[3] = cm_pg_opt(q->organization_id);
    values[4] = q->ids_json;
    values[5] = q->exclude_ids_json;
    values[6] = q->types_json;
    values[7] = q->include_inactive ? "true" : "false";
    values[8] = cm_pg_opt(q->node_type);
    values[9] = cm_pg_opt(q->parent_group_id);
    values[10] = q->tags_json;
    values[11] = cm_pg_opt(q->text);
    values[12] = cm_pg_opt(q->name);
    values[13] = cm_pg_opt(q->tree_node_type);
    values[14] = cm_pg_opt(q->individual_id);
    values[15] = cm_pg_opt(q->exclude_individual_id);
    values[16] = cm_pg_opt(q->leader_id);
    values[17] = cm_pg_opt(q->eligible_individual_id);
    values[18] = cm_pg_opt(q->time_gt);
    values[19] = cm_pg_opt(q->time_ge);
    values[20] = cm_pg_opt(q->time_lt);
    values[21] = cm_pg_opt(q->time_le);
    values[22] = limit;
    values[23] = offset;
    return CM_PG_SELECT(
        pg,
        VISIBLE_CTE
        "SELECT " GS_GROUP_COLUMNS GS_GROUP_FROM "WHERE g.id IN (SELECT id FROM visible) "
        "AND ($4::uuid IS NULL OR g.organization_id = $4::uuid) "
        "AND ($5::jsonb IS NULL OR g.id IN (SELECT (jsonb_array_elements_text($5::jsonb))::uuid)) "
        "AND ($6::jsonb IS NULL OR g.id NOT IN "
        "     (SELECT (jsonb_array_elements_text($6::jsonb))::uuid)) "
        "AND g.type IN (SELECT jsonb_array_elements_text($7::jsonb)) "
        "AND ($8::bool OR g.is_active) "
        "AND ($9::text IS NULL OR g.node_type = $9::text) "
        "AND ($10::uuid IS NULL OR g.parent_id = $10::uuid) "
        "AND ($11::jsonb IS NULL OR g.tags && ARRAY(SELECT jsonb_array_elements_text($11::jsonb))) "
        "AND ($12::text IS NULL OR strpos(lower(g.name), lower($12::text)) > 0) "
        "AND ($13::text IS NULL OR lower(g.name) = lower($13::text)) "
        "AND ($14::text IS NULL OR ($14::text = 'leaf') = "
        "     NOT EXISTS (SELECT 1 FROM groups c WHERE c.parent_id = g.id)) "
        "AND ($15::uuid IS NULL OR EXISTS (SELECT 1 FROM group_individuals gi "
        "     WHERE gi.group_id = g.id AND gi.individual_id = $15::uuid)) "
        "AND ($16::uuid IS NULL OR NOT EXISTS (SELECT 1 FROM group_individuals gi "
        "     WHERE gi.group_id = g.id AND gi.individual_id = $16::uuid)) "
        "AND ($17::uuid IS NULL OR EXISTS (SELECT 1 FROM group_leaders l "
        "     WHERE l.group_id = g.id AND l.user_id = $17::uuid)) "
        "AND ($18::uuid IS NULL OR (g.organization_id = "
        "     (SELECT i.owner_id FROM individuals i WHERE i.id = $18::uuid) "
        "     AND NOT EXISTS (SELECT 1 FROM group_individuals gi "
        "     WHERE gi.group_id = g.id AND gi.individual_id = $18::uuid))) "
        "AND ($19::timestamptz IS NULL OR g.last_modified_time > $19::timestamptz) "
        "AND ($20::timestamptz IS NULL OR g.last_modified_time >= $20::timestamptz) "
        "AND ($21::timestamptz IS NULL OR g.last_modified_time < $21::timestamptz) "
        "AND ($22::timestamptz IS NULL OR g.last_modified_time <= $22::timestamptz) "
        "ORDER BY g.name, g.id LIMIT $23::bigint OFFSET $24::bigint",
        24, values, group_fields, out);
}

/* cm_pg_select of sql with group $1, limit $2 and offset $3. */
static cm_err paged(PGconn *pg, const char *sql, const char *group, long limit, long offset,
                    const struct cm_pg_field *fields, size_t nfields, size_t size, void **items,
                    char **mem, size_t *n)
{
    char l[24], o[24];
    const char *values[3] = {group, l, o};

    snprintf(l, sizeof l, "%ld", limit);
    snprintf(o, sizeof o, "%ld", offset);
    return cm_pg_select(pg, sql, 3, values, fields, nfields, size, items, mem, n);
}
#define PAGED(pg, sql, group, limit, offset, fields, list)                                         \
    paged(pg, sql, group, limit, offset, fields, sizeof(fields) / sizeof((fields)[0]),             \
          sizeof(*(list)->items), (void **)&(list)->items, &(list)->mem, &(list)->n)

cm_err gs_group_individuals(PGconn *pg, const char *group, long limit, long offset,
                            struct individual_list *out)
{
    return PAGED(pg,
                 "SELECT gi.group_id, i.id, i.owner_id, i.first_name, i.last_name, i.email, "
                 "i.birth_date, i.email_verified, i.phone_verified, i.registered "
                 "FROM group_individuals gi JOIN individuals i ON i.id = gi.individual_id "
                 "WHERE gi.group_id = $1::uuid ORDER BY gi.added_at, i.id "
                 "LIMIT $2::bigint OFFSET $3::bigint",
                 group, limit, offset, individual_fields, out);
}

cm_err gs_group_leaders(PGconn *pg, const char *group, long limit, long offset,
                        struct person_list *out)
{
    return PAGED(pg,
                 "SELECT l.group_id, l.user_id AS id, u.first_name, u.last_name, u.username "
                 "FROM group_leaders l LEFT JOIN users u ON u.id = l.user_id "
                 "WHERE l.group_id = $1::uuid ORDER BY l.added_at, l.user_id "
                 "LIMIT $2::bigint OFFSET $3::bigint",
                 group, limit, offset, person_fields, out);
}

cm_err gs_group_logs(PGconn *pg, const struct gs_scope *sc, const char *group,
                     const char *individual, const char *org, long limit, long offset,
                     struct group_log_list *out)
{
    static const struct cm_pg_field fields[] = {
        GS_F(group_log_rec, CM_PG_STR, id),           GS_F(group_log_rec, CM_PG_STR, group_id),
        GS_F(group_log_rec, CM_PG_STR, subject),      GS_F(group_log_rec, CM_PG_STR, subject_id),
        GS_F(group_log_rec, CM_PG_STR, event),        GS_F(group_log_rec, CM_PG_STR, created_by),
        GS_F(group_log_rec, CM_PG_STR, created_time),
    };
    char l[24], o[24];
    const char *values[8];

    snprintf(l, sizeof l, "%ld", limit);
    snprintf(o, sizeof o, "%ld", offset);
    scope_values(sc, values);
    values[3] = cm_pg_opt(group);
    values[4] = cm_pg_opt(individual);
    values[5] = cm_pg_opt(org);
    values[6] = l;
    values[7] = o;
    return CM_PG_SELECT(pg,
                     VISIBLE_CTE
                     "SELECT x.id, x.group_id, x.subject, x.subject_id, x.event, "
                     "x.created_by, " GS_TS(
                         "x.created_time") " AS created_time "
                                           "FROM group_logs x JOIN groups g ON g.id = x.group_id "
                                           "WHERE x.group_id IN (SELECT id FROM visible) "
                                           "AND ($4::uuid IS NULL OR x.group_id = $4::uuid) "
                                           "AND ($5::uuid IS NULL OR (x.subject = 'individual' "
                                           "     AND x.subject_id = $5::uuid)) "
                                           "AND ($6::uuid IS NULL OR g.organization_id = $6::uuid) "
                                           "ORDER BY x.created_time DESC, x.id "
                                           "LIMIT $7::bigint OFFSET $8::bigint",
                     8, values, fields, out);
}

cm_err gs_eligible(PGconn *pg, const char *group, const char *org,
                   const struct gs_eligible_query *q, struct eligible_list *out, long *out_total)
{
    /* total rides on every row; the row of an empty page has no id */
    struct eligible_row {
        struct eligible_rec e;
        long total;
    };
    struct eligible_rows GS_LIST(eligible_row);
#define EF(kind, name)                                                                             \
    {                                                                                              \
#name, kind, offsetof(struct eligible_row, e.name)                                         \
    }
    static const struct cm_pg_field fields[] = {
        EF(CM_PG_STR, id),
        EF(CM_PG_STR, individual_id),
        EF(CM_PG_STR, email),
        EF(CM_PG_STR, first_name),
        EF(CM_PG_STR, last_name),
        EF(CM_PG_STR, invite),
        EF(CM_PG_STR, member_type),
        EF(CM_PG_BOOL, email_verified),
        EF(CM_PG_BOOL, phone_verified),
        EF(CM_PG_BOOL, verified),
        GS_F(eligible_row, CM_PG_LONG, total),
    };
#undef EF
    struct eligible_rows rows = {0, NULL, NULL};
    cm_err err;
    char l[24], o[24];
    const char *values[9];

    snprintf(l, sizeof l, "%ld", q->limit);
    snprintf(o, sizeof o, "%ld", q->offset);
    values[0] = group;
    values[1] = org;
    values[2] = q->member_type;
    values[3] = q->for_children ? "true" : "false";
    values[4] = cm_pg_opt(q->text);
    values[5] = cm_pg_opt(q->invite);
    values[6] = cm_pg_opt_bool(q->verified);
    values[7] = l;
    values[8] = o;
    /* users of org for leaders and members; individuals of org otherwise.
     * A user known to authz has an account: its invitation is "accepted". */
    err = CM_PG_SELECT(
        pg,
        "WITH cand AS ("
        " SELECT u.id, (SELECT i.id FROM individuals i WHERE i.user_id = u.id "
        "        ORDER BY i.created_at LIMIT 1) AS individual_id, u.email, u.first_name, "
        "        u.last_name, true AS email_verified, false AS phone_verified, true AS verified, "
        "        'accepted' AS invite, "
        "        EXISTS (SELECT 1 FROM group_leaders x WHERE x.group_id = $1::uuid "
        "                AND x.user_id = u.id AND $3 = 'leader') "
        "        OR EXISTS (SELECT 1 FROM group_members x WHERE x.group_id = $1::uuid "
        "                AND x.user_id = u.id AND $3 = 'member') AS inside "
        " FROM users u JOIN memberships m ON m.user_id = u.id AND m.organization_id = $2::uuid "
        " WHERE u.enabled AND $3 IN ('leader', 'member') "
        " UNION ALL "
        " SELECT i.id, i.id, i.email, i.first_name, i.last_name, i.email_verified, "
        "        i.phone_verified, i.email_verified OR i.phone_verified, "
        "        CASE WHEN i.registered THEN 'accepted' ELSE 'none' END, "
        "        EXISTS (SELECT 1 FROM group_individuals x WHERE x.group_id = $1::uuid "
        "                AND x.individual_id = i.id) "
        " FROM individuals i WHERE i.owner_id = $2::uuid AND $3 = 'individual') "
        ", hit AS (SELECT c.* FROM cand c WHERE c.inside = $4::bool "
        " AND ($5::text IS NULL OR strpos(lower(c.first_name || ' ' || c.last_name || ' ' || "
        "     c.email), lower($5::text)) > 0) "
        " AND ($6::text IS NULL OR c.invite = $6::text) "
        " AND ($7::bool IS NULL OR c.verified = $7::bool)) "
        /* one row with the total even when the page is empty (then id is NULL) */
        "SELECT (SELECT count(*) FROM hit) AS total, $3 AS member_type, f.* "
        "FROM (SELECT 1) one LEFT JOIN (SELECT * FROM hit ORDER BY last_name, first_name, id "
        " LIMIT $8::bigint OFFSET $9::bigint) f ON true "
        "ORDER BY f.last_name, f.first_name, f.id",
        9, values, fields, &rows);
    if (err != CM_OK)
        return err;
    out->n = 0;
    out->items = cm_xcalloc(rows.n ? rows.n : 1, sizeof *out->items);
    for (size_t i = 0; i < rows.n; i++)
        if (rows.items[i].e.id[0])
            out->items[out->n++] = rows.items[i].e;
    out->mem = rows.mem; /* the strings stay where they are */
    *out_total = rows.n ? rows.items[0].total : 0;
    free(rows.items);
    return CM_OK;
}
