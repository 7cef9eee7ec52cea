/* store_groups.h: authz's SQL for care groups (the group tree with its
 * closure table group_tree, individuals, leaders, members, logs, move
 * tasks) and for individuals. Nothing here knows about NATS or HTTP.
 *
 * Results are PGresults the caller clears; the *_row readers point strings
 * into them ("" for SQL NULL). Times are RFC 3339 UTC with microseconds. */
#ifndef AUTHZ_STORE_GROUPS_H
#define AUTHZ_STORE_GROUPS_H

#include <libpq-fe.h>

#include "cm_err.h"

#define GS_ID_LEN 37 /* a uuid and its NUL */
#define GS_TIME_LEN 48 /* an RFC 3339 time, or a filter's time text (<= 40) */

/* SQL rendering a timestamptz expression as RFC 3339 UTC with microseconds. */
#define GS_TS(expr) "to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* --- helpers (store_groups.c) --- */

/* s, or NULL (an SQL NULL parameter) when s is NULL or "". */
const char *gs_opt(const char *s);

/* Value of column name in row of res; "" for SQL NULL or an unknown column.
 * Borrowed from res. */
const char *gs_col(const PGresult *res, int row, const char *name);

/* Column name of row as a boolean ("t"). */
int gs_bool(const PGresult *res, int row, const char *name);

/* Runs sql with n text parameters (NULL values are SQL NULL). On CM_OK the
 * result is in *out (caller PQclear); otherwise the database's error is
 * mapped (cm_pg_result_err) and nothing is returned. */
cm_err gs_query(PGconn *pg, const char *sql, int n, const char *const *values, PGresult **out);

/* As gs_query for a command whose rows are not read; the count of rows it
 * affected goes to *rows when rows is not NULL. */
cm_err gs_command(PGconn *pg, const char *sql, int n, const char *const *values, long *rows);

/* BEGIN; and the end of a transaction: COMMIT when err is CM_OK (its
 * failure returned), otherwise ROLLBACK and err returned unchanged. */
cm_err gs_tx_begin(PGconn *pg);
cm_err gs_tx_end(PGconn *pg, cm_err err);

/* The transaction's now() into out, for events. */
cm_err gs_now(PGconn *pg, char out[GS_TIME_LEN]);

/* --- who the caller is, for the lists' visibility (the SQL form of
 * engine.h's group:G:read) --- */
struct gs_scope {
    char user_id[GS_ID_LEN];   /* "" for callers that are not users */
    char admin_org[GS_ID_LEN]; /* organization the token makes the caller admin of, or "" */
    int all;                   /* the platform admin */
};

/* --- groups (store_groups.c) --- */

/* One group as the API shows it; borrowed from its PGresult. */
struct gs_group {
    const char *id;
    const char *organization_id;
    const char *parent_id; /* "" at the top */
    const char *parent_name;
    const char *name;
    const char *node_type;
    const char *type;
    const char *tags; /* JSON array text */
    int is_active;
    int members_can_write;
    const char *last_modified_time;
    long child_count;
    long individuals_count;
};

/* Columns of gs_group_row, and the FROM they need (g the group, p its
 * parent), for the store's SELECTs. */
#define GS_GROUP_COLUMNS                                                                           \
    "g.id, g.organization_id, g.parent_id, p.name AS parent_name, g.name, g.node_type, g.type, "   \
    "array_to_json(g.tags)::text AS tags, g.is_active, g.members_can_write, "                     \
    GS_TS("g.last_modified_time") " AS last_modified_time, "                                       \
    "(SELECT count(*) FROM groups c WHERE c.parent_id = g.id) AS child_count, "                    \
    "(SELECT count(*) FROM group_individuals gi WHERE gi.group_id = g.id) AS individuals_count "
#define GS_GROUP_FROM "FROM groups g LEFT JOIN groups p ON p.id = g.parent_id "

/* Points out's fields into row of res (GS_GROUP_COLUMNS). */
void gs_group_row(const PGresult *res, int row, struct gs_group *out);

/* Group id, one row to *out (caller PQclear). CM_ENOTFOUND when none. */
cm_err gs_group_get(PGconn *pg, const char *id, PGresult **out);

/* A new group; strings borrowed. tags_json a JSON array of strings. */
struct gs_group_new {
    const char *organization_id;
    const char *parent_id; /* "" for a top-level group */
    const char *name;
    const char *node_type;
    const char *type;
    const char *tags_json;
    int members_can_write;
    const char *created_by; /* may be "" */
};

/* Inserts g and its rows of group_tree, and logs it. Call inside a
 * transaction: it holds the organization's tree lock until commit. The new
 * id to out_id. CM_ENOTFOUND when the parent vanished. */
cm_err gs_group_create(PGconn *pg, const struct gs_group_new *g, char out_id[GS_ID_LEN]);

/* Changes what is given of group id: name and tags_json (NULL: keep),
 * is_active and members_can_write (-1: keep); bumps last-modified-time. */
cm_err gs_group_update(PGconn *pg, const char *id, const char *name, const char *tags_json,
                       int is_active, int members_can_write);

/* Bumps last-modified-time of group id. */
cm_err gs_group_touch(PGconn *pg, const char *id);

/* Moves group id (of organization org) under to, rewriting group_tree for
 * its whole subtree, logging the move and recording a finished task of kind
 * "move-group" (its id to out_task). Call inside a transaction: it takes
 * the organization's tree lock, then refuses with CM_EINVAL when to is id
 * or one of its descendants (checked under the lock). *out_from gets the
 * former parent ("" at the top). */
cm_err gs_group_move(PGconn *pg, const char *org, const char *id, const char *to,
                     const char *by, char out_from[GS_ID_LEN], char out_task[GS_ID_LEN]);

/* --- individuals, leaders and members of groups (store_groups_members.c) --- */

enum gs_subject { GS_INDIVIDUAL, GS_LEADER, GS_MEMBER };

/* "individual", "leader" or "member". Static. */
const char *gs_subject_name(enum gs_subject s);

/* Adds subject id to group (by: who, may be ""), logging it; *changed is 0
 * when it was already there. Call inside a transaction. */
cm_err gs_subject_add(PGconn *pg, const char *group, enum gs_subject s, const char *id,
                      const char *by, int *changed);

/* Removes subject id from group, logging it; *changed is 0 when it was not
 * there. Call inside a transaction. */
cm_err gs_subject_remove(PGconn *pg, const char *group, enum gs_subject s, const char *id,
                         const char *by, int *changed);

/* The ids of subject kind s in group, one column "id" (caller PQclear). */
cm_err gs_subject_ids(PGconn *pg, const char *group, enum gs_subject s, PGresult **out);

/* Resolves a user for organization org: by id (id not "") or by email
 * (case-insensitive). The user id to out. CM_ENOTFOUND when no such user is
 * a member of org (authz's projection), CM_ECONFLICT when several members
 * share the email. */
cm_err gs_org_user(PGconn *pg, const char *org, const char *id, const char *email,
                   char out[GS_ID_LEN]);

/* CM_OK when individual id is owned by org, else CM_ENOTFOUND. */
cm_err gs_org_individual(PGconn *pg, const char *org, const char *id);

/* Rows of the groups whose ids are in ids_json (a JSON array), ordered by
 * group: kind GS_LEADER (leaders with user columns), GS_MEMBER (members) or
 * GS_INDIVIDUAL (individuals with their columns); column "group_id" names
 * the group. Caller PQclear. */
cm_err gs_details(PGconn *pg, const char *ids_json, enum gs_subject s, PGresult **out);

/* --- lists (store_groups_list.c) --- */

/* Filters of the individual-groups lists (#39, #156); "" / NULL = not
 * given. The JSON arrays are built from validated input. */
struct gs_list_query {
    char organization_id[GS_ID_LEN];
    const char *ids_json;
    const char *exclude_ids_json;
    const char *types_json; /* never NULL: the default is regular and provider_only */
    int include_inactive;
    const char *node_type;
    char parent_group_id[GS_ID_LEN];
    const char *tags_json;
    const char *text;
    const char *name;
    const char *tree_node_type; /* "leaf" / "non-leaf" */
    char individual_id[GS_ID_LEN];
    char exclude_individual_id[GS_ID_LEN];
    char leader_id[GS_ID_LEN];
    char eligible_individual_id[GS_ID_LEN];
    char time_gt[GS_TIME_LEN], time_ge[GS_TIME_LEN], time_lt[GS_TIME_LEN], time_le[GS_TIME_LEN];
    long limit, offset;
};

/* The visible groups matching q, ordered by name then id (gs_group_row
 * columns; caller PQclear). CM_EINVAL when a time does not parse. */
cm_err gs_groups_list(PGconn *pg, const struct gs_scope *sc, const struct gs_list_query *q,
                      PGresult **out);

/* Individuals (gs_details columns) of group, paginated. */
cm_err gs_group_individuals(PGconn *pg, const char *group, long limit, long offset,
                            PGresult **out);

/* Leaders of group with first_name, last_name, username, paginated. */
cm_err gs_group_leaders(PGconn *pg, const char *group, long limit, long offset, PGresult **out);

/* group_logs rows visible under sc, newest first, filtered by group,
 * individual and organization (each "" when not given), paginated. */
cm_err gs_group_logs(PGconn *pg, const struct gs_scope *sc, const char *group,
                     const char *individual, const char *org, long limit, long offset,
                     PGresult **out);

/* Who could be added to group (of org) as member_type ("leader" and
 * "member": users of org; "individual": individuals owned by org), not yet
 * in it in that role; with for_children, those already in it (the pool its
 * subgroups draw from). text ("" none) matches name or email; invite ("" any)
 * and verified (-1 any) filter. Columns id, individual_id, email,
 * first_name, last_name, email_verified, phone_verified, verified,
 * invite, member_type, total (the count before pagination). An empty page
 * is one row whose id is "", so that total is still there. */
struct gs_eligible_query {
    const char *member_type;
    int for_children;
    const char *text;
    const char *invite;
    int verified;
    long limit, offset;
};
cm_err gs_eligible(PGconn *pg, const char *group, const char *org,
                   const struct gs_eligible_query *q, PGresult **out);

/* --- individuals (store_groups_individuals.c) --- */

/* Registers individual id under owner (user_id may be ""), logging who;
 * the row to *out (columns id, owner_id, user_id). CM_ECONFLICT when id
 * exists. */
cm_err gs_individual_create(PGconn *pg, const char *id, const char *owner, const char *user_id,
                            const char *by, PGresult **out);

/* Individual id (columns id, owner_id, user_id); CM_ENOTFOUND when none. */
cm_err gs_individual_get(PGconn *pg, const char *id, PGresult **out);

#endif
