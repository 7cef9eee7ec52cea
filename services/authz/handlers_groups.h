/* handlers_groups.h: declarations of the authz handlers in handlers_groups*.c
 * (care groups: #36-#50, #156, #157) and handlers_individuals.c (#51, #52),
 * the event subjects they publish, and the pieces they share.
 *
 * Who may call (README, authz):
 *   - reading a group needs group:G:read (engine.h), writing it (PATCH,
 *     add / remove, move, eligible-members) group:G:write; a group the
 *     caller may not read answers 404, one it may read but not write 403;
 *   - creating a top-level group needs the admin of its organization (or the
 *     platform admin), a subgroup group:<parent>:write;
 *   - creating an individual needs the admin of its owner organization,
 *     reading it individual:I:read;
 *   - an organization admin by token (cm_principal_org_admin) is allowed
 *     without asking the engine, so that the platform admin and API clients
 *     work before the projection knows them. */
#ifndef AUTHZ_HANDLERS_GROUPS_H
#define AUTHZ_HANDLERS_GROUPS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "cm_service.h"
#include "engine.h"
#include "store_groups.h"

/* Event subjects (+ "created" / "updated" / "moved", "added" / "removed",
 * "created"); messages in proto/authz.proto. */
#define AUTHZ_EVT_GROUP "evt.authz.group."
#define AUTHZ_EVT_GROUP_MEMBERSHIP "evt.authz.group_membership."
#define AUTHZ_EVT_INDIVIDUAL "evt.authz.individual."

#define GROUPS_MAX_IDS 1000  /* ids in one body array */
#define GROUPS_MAX_TAGS 64   /* tags of a group */
#define GROUPS_TAG_CHARS 127 /* characters of a tag */
#define GROUPS_NAME_CHARS 255

/* --- HTTP handlers --- */
cm_err groups_list_v1(struct cm_req *rq, struct cm_resp *out);            /* #39 */
cm_err groups_create(struct cm_req *rq, struct cm_resp *out);             /* #40 */
cm_err groups_read_v1(struct cm_req *rq, struct cm_resp *out);            /* #41 */
cm_err groups_update(struct cm_req *rq, struct cm_resp *out);             /* #42 */
cm_err groups_add_individuals(struct cm_req *rq, struct cm_resp *out);    /* #43 */
cm_err groups_add_leaders(struct cm_req *rq, struct cm_resp *out);        /* #44 */
cm_err groups_add_members(struct cm_req *rq, struct cm_resp *out);        /* #45 */
cm_err groups_eligible_members(struct cm_req *rq, struct cm_resp *out);   /* #46 */
cm_err groups_move(struct cm_req *rq, struct cm_resp *out);               /* #47 */
cm_err groups_remove_individuals(struct cm_req *rq, struct cm_resp *out); /* #48 */
cm_err groups_remove_leaders(struct cm_req *rq, struct cm_resp *out);     /* #49 */
cm_err groups_remove_members(struct cm_req *rq, struct cm_resp *out);     /* #50 */
cm_err groups_list_v2(struct cm_req *rq, struct cm_resp *out);            /* #156 */
cm_err groups_read_v2(struct cm_req *rq, struct cm_resp *out);            /* #157 */
cm_err group_individuals_list(struct cm_req *rq, struct cm_resp *out);    /* #36 */
cm_err group_leaders_list(struct cm_req *rq, struct cm_resp *out);        /* #37 */
cm_err group_logs_list(struct cm_req *rq, struct cm_resp *out);           /* #38 */
cm_err individuals_create(struct cm_req *rq, struct cm_resp *out);        /* #51 */
cm_err individuals_read(struct cm_req *rq, struct cm_resp *out);          /* #52 */

/* --- access (handlers_groups_access.c) --- */

/* The caller's user id ("" when it is not a user). Borrowed. */
const char *groups_caller(const struct cm_req *rq);

/* The caller as the lists' visibility needs it. */
void groups_scope_of(const struct cm_req *rq, struct gs_scope *out);

/* May the caller do op on type:id, where org is the entity's organization
 * (the token's organization admin may do anything there)? *out_allow 1 or
 * 0 on CM_OK; database errors returned. */
cm_err groups_allowed(struct cm_req *rq, const char *org, enum authz_type type, const char *id,
                      enum authz_op op, int *out_allow);

/* As groups_allowed for n entities at once (orgs[i] the organization of
 * ids[i]), in at most one statement: out_allow[i] 1 or 0 on CM_OK. */
cm_err groups_allowed_each(struct cm_req *rq, const char *const *orgs, enum authz_type type,
                           const char *const *ids, size_t n, enum authz_op op, int *out_allow);

/* The caller must administer org (organization:org:write): CM_EDENIED
 * with detail denied for a member of it, CM_ENOTFOUND ("no such
 * organization") for anyone else, both at pointer. */
cm_err groups_require_org_admin(struct cm_req *rq, const char *org, const char *pointer,
                                const char *denied);

/* Loads group id for op: CM_ENOTFOUND (detail recorded, at pointer or
 * parameter when given) when id is not a uuid, unknown, or not readable by
 * the caller; CM_EDENIED when op is write and the caller may only read. On
 * CM_OK the group's record is in *out (one item; GS_LIST_RELEASE) when out
 * is not NULL. */
cm_err groups_load(struct cm_req *rq, const char *id, const char *pointer, const char *parameter,
                   enum authz_op op, struct group_list *out);

/* Checks that every id of the JSON array ids (may be NULL) is a user of
 * organization org, and resolves every email of emails (may be NULL) to
 * one; the user ids, without duplicates, to the new array *out. An id or
 * email that is not a member of org is CM_ENOTFOUND, an email shared by
 * several members CM_EINVAL, each naming the item's JSON pointer under
 * ids_ptr / emails_ptr. */
cm_err groups_resolve_users(struct cm_req *rq, const char *org, const json_t *ids,
                            const json_t *emails, const char *ids_ptr, const char *emails_ptr,
                            json_t **out);

/* Checks that every id of the JSON array ids (may be NULL) is an individual
 * owned by org; CM_ENOTFOUND naming the item under ptr otherwise. */
cm_err groups_check_individuals(struct cm_req *rq, const char *org, const json_t *ids,
                                const char *ptr);

/* --- input (handlers_groups_input.c, pure, unit-tested) --- */

/* True for one of the group types: all_participants, provider_only,
 * regular, unassigned. */
int groups_type_valid(const char *s);

/* True for "division" or "group". */
int groups_node_type_valid(const char *s);

/* True for "leaf" or "non-leaf". */
int groups_tree_node_type_valid(const char *s);

/* Reads member name of obj (JSON pointer prefix) as an array of at most max
 * items, each a uuid (uuids 1) or a string of 1..maxchars characters; not
 * given (absent or null) leaves *out NULL unless required. Duplicates are
 * dropped. On CM_OK *out is a new JSON array of strings (caller json_decref)
 * or NULL; on CM_EINVAL the detail and the item's pointer are recorded. */
cm_err groups_json_strings(struct cm_req *rq, const json_t *obj, const char *prefix,
                           const char *name, int required, int uuids, size_t maxchars,
                           size_t max, json_t **out);

/* The parsed query of the groups lists (#39 v1, #156 v2): q's strings
 * point into this struct. */
struct groups_list_input {
    struct gs_list_query q;
    char text[GROUPS_NAME_CHARS * 4 + 1];
    char name[GROUPS_NAME_CHARS * 4 + 1];
    char node_type[16 * 4 + 1];
    char tree_node_type[16 * 4 + 1];
    char *ids_json, *exclude_json, *types_json, *tags_json; /* owned */
    int with_individuals, with_members;                      /* v1 only */
};

/* Reads every filter of the v1 (v1 1) or v2 list into in: unknown
 * parameters, bad uuids, values outside their enums or lengths, more than
 * 2 comparisons or a bad one, page bounds (limit 1..1000, default 100) are
 * CM_EINVAL naming the parameter. type defaults to regular and
 * provider_only. Release in with groups_list_input_release, whatever the
 * result. */
cm_err groups_list_input_read(struct cm_req *rq, int v1, struct groups_list_input *in);
void groups_list_input_release(struct groups_list_input *in);

/* --- output and events (handlers_groups_view.c) --- */

/* The v1 resources of the groups of l, with leaders and individual-ids,
 * individuals and members when asked, and self-can-write for the caller
 * (one access question for the page), into the new array *out. */
cm_err groups_render_v1(struct cm_req *rq, const struct group_list *l, int with_individuals,
                        int with_members, json_t **out);

/* Answers status with the v1 document of group id, read again. */
cm_err groups_respond_v1(struct cm_req *rq, struct cm_resp *out, int status, const char *id,
                         int with_individuals, int with_members);

/* Writes GroupChanged (AUTHZ_EVT_GROUP + change) for group id of org to the
 * outbox, inside the caller's transaction. parent may be "". */
cm_err groups_event_group(PGconn *pg, const char *id, const char *org, const char *parent,
                          const char *change);

/* Writes GroupMembershipChanged (AUTHZ_EVT_GROUP_MEMBERSHIP + change:
 * "added" / "removed") to the outbox, inside the caller's transaction. */
cm_err groups_event_membership(PGconn *pg, const char *group, enum gs_subject s,
                               const char *subject_id, const char *change);

/* Adds (add 1) or removes subject id in group, logging it and writing the
 * membership event when it changed. Inside the caller's transaction. */
cm_err groups_subject_change(struct cm_req *rq, const char *group, enum gs_subject s,
                             const char *id, int add);

/* --- the move check (handlers_groups_input.c, pure) --- */

/* Whether group id of org may move under to (of to_org): CM_EINVAL with a
 * reason in err (errlen bytes) when to is id itself or in another
 * organization. The subtree check is the store's, under its lock. */
cm_err groups_move_verdict(const char *id, const char *org, const char *to, const char *to_org,
                           char *err, size_t errlen);

#endif
