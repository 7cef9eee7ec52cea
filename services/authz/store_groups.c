/* store_groups.c: the SQL helpers of authz's group store and the groups
 * themselves: read, create, update, and move with the closure table
 * group_tree kept right in the same transaction (store_groups.h). */
#include "store_groups_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_outbox.h"
#include "cm_pg.h"

/* --- helpers --- */

void gs_list_free(void *items, char *mem)
{
    free(items);
    free(mem);
}

/* --- groups --- */

cm_err gs_group_get(PGconn *pg, const char *id, struct group_list *out)
{
    const char *values[1] = {id};
    struct group_list l = {0, NULL, NULL};
    cm_err err = CM_PG_SELECT(pg, "SELECT " GS_GROUP_COLUMNS GS_GROUP_FROM "WHERE g.id = $1::uuid", 1,
                           values, group_fields, &l);

    if (err == CM_OK && l.n != 1) {
        GS_LIST_RELEASE(&l);
        err = CM_ENOTFOUND;
    }
    if (err == CM_OK)
        *out = l;
    return err;
}

/* Takes the transaction-level lock that serialises changes to the tree of
 * organization org (creates and moves), so that two concurrent moves cannot
 * make a cycle. */
static cm_err lock_tree(PGconn *pg, const char *org)
{
    const char *values[1] = {org};
    return cm_pg_command(pg, "SELECT pg_advisory_xact_lock(hashtext('authz.group_tree:' || $1))", 1,
                         values, NULL);
}

/* Writes a group_logs row about the group itself. */
static cm_err log_group(PGconn *pg, const char *group, const char *event, const char *by)
{
    const char *values[3] = {group, event, cm_pg_opt(by)};
    return cm_pg_command(
        pg,
        "INSERT INTO group_logs (group_id, subject, subject_id, event, created_by) "
        "VALUES ($1::uuid, 'group', $1::uuid, $2, $3::uuid)",
        3, values, NULL);
}

cm_err gs_group_create(PGconn *pg, const struct gs_group_new *g, char out_id[GS_ID_LEN])
{
    const char *values[8] = {g->organization_id,
                             cm_pg_opt(g->parent_id),
                             g->name,
                             g->node_type,
                             g->type,
                             g->tags_json,
                             g->members_can_write ? "true" : "false",
                             cm_pg_opt(g->created_by)};
    const char *tree[2];
    char id[GS_ID_LEN];
    PGresult *res;
    long rows = 0;
    cm_err err = lock_tree(pg, g->organization_id);

    if (err == CM_OK)
        err = cm_pg_query(
            pg,
            "INSERT INTO groups (organization_id, parent_id, name, node_type, type, "
            "tags, members_can_write, created_by) "
            "SELECT $1::uuid, $2::uuid, $3, $4, $5, "
            "ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7::bool, $8::uuid "
            "WHERE $2::uuid IS NULL OR EXISTS (SELECT 1 FROM groups WHERE id = $2::uuid "
            "AND organization_id = $1::uuid) RETURNING id",
            8, values, &res);
    if (err != CM_OK)
        return err;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return CM_ENOTFOUND;
    }
    snprintf(id, sizeof id, "%s", cm_pg_col(res, 0, "id"));
    PQclear(res);
    tree[0] = id;
    tree[1] = cm_pg_opt(g->parent_id);
    err = cm_pg_command(pg,
                        "INSERT INTO group_tree (ancestor_id, descendant_id, depth) "
                        "SELECT $1::uuid, $1::uuid, 0 UNION ALL "
                        "SELECT t.ancestor_id, $1::uuid, t.depth + 1 FROM group_tree t "
                        "WHERE t.descendant_id = $2::uuid",
                        2, tree, &rows);
    if (err == CM_OK)
        err = log_group(pg, id, "add", g->created_by);
    if (err == CM_OK)
        memcpy(out_id, id, GS_ID_LEN);
    return err;
}

cm_err gs_group_update(PGconn *pg, const char *id, const char *name, const char *tags_json,
                       int is_active, int members_can_write)
{
    const char *values[5] = {id, name, tags_json, cm_pg_opt_bool(is_active),
                             cm_pg_opt_bool(members_can_write)};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "UPDATE groups SET name = COALESCE($2, name), "
                               "tags = CASE WHEN $3::jsonb IS NULL THEN tags "
                               "ELSE ARRAY(SELECT jsonb_array_elements_text($3::jsonb)) END, "
                               "is_active = COALESCE($4::bool, is_active), "
                               "members_can_write = COALESCE($5::bool, members_can_write), "
                               "last_modified_time = now() WHERE id = $1::uuid",
                               5, values, &rows);

    return err == CM_OK && rows != 1 ? CM_ENOTFOUND : err;
}

cm_err gs_group_touch(PGconn *pg, const char *id)
{
    return gs_group_update(pg, id, NULL, NULL, -1, -1);
}

cm_err gs_group_move(PGconn *pg, const char *org, const char *id, const char *to, const char *by,
                     char out_from[GS_ID_LEN], char out_task[GS_ID_LEN])
{
    const char *pair[2] = {id, to};
    const char *task[4];
    char from[GS_ID_LEN];
    PGresult *res;
    cm_err err = lock_tree(pg, org);

    /* under the lock: to must not be id or below it, and both must be of org */
    if (err == CM_OK)
        err = cm_pg_query(pg,
                          "SELECT (SELECT parent_id FROM groups WHERE id = $1::uuid) AS from_id, "
                          "EXISTS (SELECT 1 FROM group_tree WHERE ancestor_id = $1::uuid "
                          "AND descendant_id = $2::uuid) AS inside",
                          2, pair, &res);
    if (err != CM_OK)
        return err;
    snprintf(from, sizeof from, "%s", cm_pg_col(res, 0, "from_id"));
    err = cm_pg_bool(res, 0, "inside") ? CM_EINVAL : CM_OK;
    PQclear(res);
    if (err != CM_OK)
        return err;
    /* detach the subtree from its old ancestors, attach it under to's */
    err = cm_pg_command(pg,
                        "DELETE FROM group_tree t WHERE t.descendant_id IN "
                        "(SELECT descendant_id FROM group_tree WHERE ancestor_id = $1::uuid) "
                        "AND t.ancestor_id NOT IN "
                        "(SELECT descendant_id FROM group_tree WHERE ancestor_id = $1::uuid)",
                        1, pair, NULL);
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO group_tree (ancestor_id, descendant_id, depth) "
                            "SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1 "
                            "FROM group_tree a, group_tree d "
                            "WHERE a.descendant_id = $2::uuid AND d.ancestor_id = $1::uuid",
                            2, pair, NULL);
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "UPDATE groups SET parent_id = $2::uuid, last_modified_time = now() "
                            "WHERE id = $1::uuid",
                            2, pair, NULL);
    if (err == CM_OK)
        err = log_group(pg, id, "move", by);
    if (err != CM_OK)
        return err;
    task[0] = id;
    task[1] = to;
    task[2] = cm_pg_opt(from);
    task[3] = cm_pg_opt(by);
    err = cm_pg_query(pg,
                      "INSERT INTO tasks (kind, state, detail, created_by, finished_at) "
                      "VALUES ('move-group', 'done', jsonb_build_object('group-id', $1::text, "
                      "'to-parent-group-id', $2::text, 'from-parent-group-id', $3::text), "
                      "$4::uuid, now()) RETURNING id",
                      4, task, &res);
    if (err != CM_OK)
        return err;
    snprintf(out_task, GS_ID_LEN, "%s", cm_pg_col(res, 0, "id"));
    memcpy(out_from, from, GS_ID_LEN);
    PQclear(res);
    return CM_OK;
}
