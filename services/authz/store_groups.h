/* store_groups.h: authz's SQL for care groups (the group tree with its
 * closure table group_tree, individuals, leaders, members, logs, move
 * tasks) and for individuals. Nothing here knows about NATS or HTTP.
 *
 * Results are records (struct *_rec, in lists {n, items, mem} released
 * with GS_LIST_RELEASE), never a PGresult: text fields are "" for SQL NULL
 * and borrowed from their list. Times are RFC 3339 UTC with microseconds. */
#ifndef AUTHZ_STORE_GROUPS_H
#define AUTHZ_STORE_GROUPS_H

#include <libpq-fe.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#include "cm_err.h"
#include "cm_outbox.h"
#include "cm_pg.h"

#define GS_ID_LEN 37 /* a uuid and its NUL */
#define GS_TIME_LEN 48 /* an RFC 3339 time, or a filter's time text (<= 40) */

/* --- helpers (store_groups.c; columns and parameters: cm_pg_col,
 * cm_pg_bool, cm_pg_opt in cm_pg.h) --- */

/* A list of records: n of them in items, their strings in mem. */
#define GS_LIST(rec)                                                                               \
    {                                                                                              \
        size_t n;                                                                                  \
        struct rec *items;                                                                         \
        char *mem;                                                                                 \
    }
/* Frees a list's records (a list of zeros is a no-op). */
void gs_list_free(void *items, char *mem);
#define GS_LIST_RELEASE(l) gs_list_free((l)->items, (l)->mem)

/* Transactions: cm_pg_begin and cm_pg_end (cm_pg.h); events:
 * cm_outbox_add_now (cm_outbox.h), stamped with the transaction's now(). */

/* --- who the caller is, for the lists' visibility (the SQL form of
 * engine.h's group:G:read) --- */
struct gs_scope {
    char user_id[GS_ID_LEN];   /* "" for callers that are not users */
    char admin_org[GS_ID_LEN]; /* organization the token makes the caller admin of, or "" */
    int all;                   /* the platform admin */
};

/* --- groups (store_groups.c) --- */

/* One group as the API shows it. */
struct group_rec {
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

struct group_list GS_LIST(group_rec);

/* Group id into *out (one record; GS_LIST_RELEASE). CM_ENOTFOUND when none. */
cm_err gs_group_get(PGconn *pg, const char *id, struct group_list *out);

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

/* An id (of a leader, member or individual). */
struct id_rec {
    const char *id;
};
struct id_list GS_LIST(id_rec);

/* The ids of subject kind s in group. */
cm_err gs_subject_ids(PGconn *pg, const char *group, enum gs_subject s, struct id_list *out);

/* Resolves a user for organization org: by id (id not "") or by email
 * (case-insensitive). The user id to out. CM_ENOTFOUND when no such user is
 * a member of org (authz's projection), CM_ECONFLICT when several members
 * share the email. */
cm_err gs_org_user(PGconn *pg, const char *org, const char *id, const char *email,
                   char out[GS_ID_LEN]);

/* CM_OK when individual id is owned by org, else CM_ENOTFOUND. */
cm_err gs_org_individual(PGconn *pg, const char *org, const char *id);

/* An individual as the groups show it (IndividualSummary): group_id the
 * group it was listed for ("" outside a group). */
struct individual_rec {
    const char *group_id, *id, *owner_id, *user_id, *first_name, *last_name, *email, *birth_date;
    int email_verified, phone_verified, registered;
};
struct individual_list GS_LIST(individual_rec);

/* A user as a leader or member of group_id (from authz's projection). */
struct person_rec {
    const char *group_id, *id, *added_by, *email, *first_name, *last_name, *username,
        *individual_id;
    int enabled;
};
struct person_list GS_LIST(person_rec);

/* The individuals of the groups whose ids are in ids_json (a JSON array),
 * ordered by group. */
cm_err gs_details_individuals(PGconn *pg, const char *ids_json, struct individual_list *out);

/* The leaders (GS_LEADER) or members (GS_MEMBER) of those groups, ordered
 * by group. */
cm_err gs_details_people(PGconn *pg, const char *ids_json, enum gs_subject s,
                         struct person_list *out);

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

/* The visible groups matching q, ordered by name then id. CM_EINVAL when
 * a time does not parse. */
cm_err gs_groups_list(PGconn *pg, const struct gs_scope *sc, const struct gs_list_query *q,
                      struct group_list *out);

/* Individuals of group, paginated. */
cm_err gs_group_individuals(PGconn *pg, const char *group, long limit, long offset,
                            struct individual_list *out);

/* Leaders of group (id, first_name, last_name, username), paginated. */
cm_err gs_group_leaders(PGconn *pg, const char *group, long limit, long offset,
                        struct person_list *out);

/* One row of group_logs. */
struct group_log_rec {
    const char *id, *group_id, *subject, *subject_id, *event, *created_by, *created_time;
};
struct group_log_list GS_LIST(group_log_rec);

/* group_logs rows visible under sc, newest first, filtered by group,
 * individual and organization (each "" when not given), paginated. */
cm_err gs_group_logs(PGconn *pg, const struct gs_scope *sc, const char *group,
                     const char *individual, const char *org, long limit, long offset,
                     struct group_log_list *out);

/* Who could be added to group (of org) as member_type ("leader" and
 * "member": users of org; "individual": individuals owned by org), not yet
 * in it in that role; with for_children, those already in it (the pool its
 * subgroups draw from). text ("" none) matches name or email; invite ("" any)
 * and verified (-1 any) filter. */
struct gs_eligible_query {
    const char *member_type;
    int for_children;
    const char *text;
    const char *invite;
    int verified;
    long limit, offset;
};
struct eligible_rec {
    const char *id, *individual_id, *email, *first_name, *last_name, *invite, *member_type;
    int email_verified, phone_verified, verified;
};
/* One page of them and *out_total, the count before pagination. */
struct eligible_list GS_LIST(eligible_rec);
cm_err gs_eligible(PGconn *pg, const char *group, const char *org,
                   const struct gs_eligible_query *q, struct eligible_list *out, long *out_total);

/* --- individuals (store_groups_individuals.c) --- */

/* Registers individual id under owner (user_id may be ""), logging who;
 * the record (id, owner_id, user_id) to *out. CM_ECONFLICT when id exists. */
cm_err gs_individual_create(PGconn *pg, const char *id, const char *owner, const char *user_id,
                            const char *by, struct individual_list *out);

/* Individual id (id, owner_id, user_id) into *out (one record);
 * CM_ENOTFOUND when none. */
cm_err gs_individual_get(PGconn *pg, const char *id, struct individual_list *out);

#endif
