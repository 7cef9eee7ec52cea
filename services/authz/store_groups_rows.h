/* store_groups_rows.h: the columns of the group store's records and the
 * field tables that read them (cm_pg_select.h); for store_groups*.c only. */
#ifndef AUTHZ_STORE_GROUPS_ROWS_H
#define AUTHZ_STORE_GROUPS_ROWS_H

#include <stddef.h>

#include "store_groups.h"
#include "cm_pg_select.h"

/* SQL rendering a timestamptz expression as RFC 3339 UTC with microseconds. */
#define GS_TS(expr) "to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Columns of struct group_rec, and the FROM they need (g the group, p its
 * parent), for the store's SELECTs. */
#define GS_GROUP_COLUMNS                                                                           \
    "g.id, g.organization_id, g.parent_id, p.name AS parent_name, g.name, g.node_type, g.type, "   \
    "array_to_json(g.tags)::text AS tags, g.is_active, g.members_can_write, " GS_TS(               \
        "g.last_modified_time") " AS last_modified_time, "                                         \
                                "(SELECT count(*) FROM groups c WHERE c.parent_id = g.id) AS "     \
                                "child_count, "                                                    \
                                "(SELECT count(*) FROM group_individuals gi WHERE gi.group_id = "  \
                                "g.id) AS individuals_count "
#define GS_GROUP_FROM "FROM groups g LEFT JOIN groups p ON p.id = g.parent_id "

#define GS_F(rec, kind, name)                                                                      \
    {                                                                                              \
#name, kind, offsetof(struct rec, name)                                                    \
    }

static const struct cm_pg_field group_fields[] = {
    GS_F(group_rec, CM_PG_STR, id),
    GS_F(group_rec, CM_PG_STR, organization_id),
    GS_F(group_rec, CM_PG_STR, parent_id),
    GS_F(group_rec, CM_PG_STR, parent_name),
    GS_F(group_rec, CM_PG_STR, name),
    GS_F(group_rec, CM_PG_STR, node_type),
    GS_F(group_rec, CM_PG_STR, type),
    GS_F(group_rec, CM_PG_STR, tags),
    GS_F(group_rec, CM_PG_BOOL, is_active),
    GS_F(group_rec, CM_PG_BOOL, members_can_write),
    GS_F(group_rec, CM_PG_STR, last_modified_time),
    GS_F(group_rec, CM_PG_LONG, child_count),
    GS_F(group_rec, CM_PG_LONG, individuals_count),
};

static const struct cm_pg_field individual_fields[] = {
    GS_F(individual_rec, CM_PG_STR, group_id),        GS_F(individual_rec, CM_PG_STR, id),
    GS_F(individual_rec, CM_PG_STR, owner_id),        GS_F(individual_rec, CM_PG_STR, user_id),
    GS_F(individual_rec, CM_PG_STR, first_name),      GS_F(individual_rec, CM_PG_STR, last_name),
    GS_F(individual_rec, CM_PG_STR, email),           GS_F(individual_rec, CM_PG_STR, birth_date),
    GS_F(individual_rec, CM_PG_BOOL, email_verified), GS_F(individual_rec, CM_PG_BOOL, phone_verified),
    GS_F(individual_rec, CM_PG_BOOL, registered),
};

static const struct cm_pg_field person_fields[] = {
    GS_F(person_rec, CM_PG_STR, group_id),   GS_F(person_rec, CM_PG_STR, id),
    GS_F(person_rec, CM_PG_STR, added_by),   GS_F(person_rec, CM_PG_STR, email),
    GS_F(person_rec, CM_PG_STR, first_name), GS_F(person_rec, CM_PG_STR, last_name),
    GS_F(person_rec, CM_PG_STR, username),   GS_F(person_rec, CM_PG_STR, individual_id),
    GS_F(person_rec, CM_PG_BOOL, enabled),
};

#endif
