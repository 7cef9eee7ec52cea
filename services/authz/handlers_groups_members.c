/* handlers_groups_members.c: the actions on a group: add and remove
 * individuals, leaders and members (#43-#45, #48-#50), and move-group
 * (#47), done at once in the request's transaction, whose task is recorded
 * as done (handlers_groups.h). */
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "handlers_groups.h"

/* The body of an add or remove action. */
struct action {
    enum gs_subject s;
    int add;
    json_t *ids;    /* owned: individual-ids or user-ids as given */
    json_t *emails; /* owned: user-emails as given */
    char from[GS_ID_LEN]; /* remove-from-group, "" when not given */
    int with_individuals, with_members;
};

/* Reads the body of action a on group, whose organization is org. */
static cm_err read_action(struct cm_req *rq, const char *group, const char *org, struct action *a)
{
    static const char *const for_individuals[] = {"individual-ids", "remove-from-group",
                                                  "with-individuals", "with-members", NULL};
    static const char *const for_users[] = {"user-ids",         "user-emails",  "remove-from-group",
                                            "with-individuals", "with-members", NULL};
    const char *ids_name = a->s == GS_INDIVIDUAL ? "individual-ids" : "user-ids";
    const char *const *allowed = a->s == GS_INDIVIDUAL ? for_individuals : for_users;
    json_t *body = NULL;
    struct group_list from = {0, NULL, NULL};
    cm_err err = cm_req_json_object(rq, allowed, &body);

    if (err != CM_OK)
        return err;
    /* remove-from-group only makes sense with an add */
    if (!a->add && json_object_get(body, "remove-from-group"))
        err = cm_fail_at(rq, CM_EINVAL, "/remove-from-group", NULL, "unknown field");
    if (err == CM_OK)
        err = groups_json_strings(rq, body, "", ids_name, 0, 1, CM_UUID_LEN, GROUPS_MAX_IDS,
                                  &a->ids);
    if (err == CM_OK && a->s != GS_INDIVIDUAL)
        err = groups_json_strings(rq, body, "", "user-emails", 0, 0, 320, GROUPS_MAX_IDS,
                                  &a->emails);
    if (err == CM_OK && !json_array_size(a->ids) && !json_array_size(a->emails))
        err = cm_fail_at(rq, CM_EINVAL, a->s == GS_INDIVIDUAL ? "/individual-ids" : "/user-ids",
                         NULL, "%s must be a non-empty array%s", ids_name,
                         a->s == GS_INDIVIDUAL ? "" : " (or give user-emails)");
    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "remove-from-group", 0, a->from);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "with-individuals", 0, 0, &a->with_individuals);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "with-members", 0, 0, &a->with_members);
    if (err == CM_OK && a->from[0] && !strcmp(a->from, group))
        err = cm_fail_at(rq, CM_EINVAL, "/remove-from-group", NULL,
                         "remove-from-group must be another group");
    if (err == CM_OK && a->from[0])
        err = groups_load(rq, a->from, "/remove-from-group", NULL, AUTHZ_WRITE, &from);
    if (err == CM_OK && a->from[0] && strcmp(from.items[0].organization_id, org))
        err = cm_fail_at(rq, CM_EINVAL, "/remove-from-group", NULL,
                         "remove-from-group is in another organization");
    GS_LIST_RELEASE(&from);
    json_decref(body);
    return err;
}

/* The subject ids action a applies to, checked against org, to *out. */
static cm_err action_targets(struct cm_req *rq, const char *org, const struct action *a,
                             json_t **out)
{
    const char *ids_ptr = a->s == GS_INDIVIDUAL ? "/individual-ids" : "/user-ids";
    json_t *v;
    size_t i;
    cm_err err;

    if (a->s == GS_INDIVIDUAL) {
        /* removing needs no check: an id not in the group is no change */
        err = a->add ? groups_check_individuals(rq, org, a->ids, ids_ptr) : CM_OK;
        if (err == CM_OK)
            *out = json_incref(a->ids);
        return err;
    }
    if (a->add)
        return groups_resolve_users(rq, org, a->ids, a->emails, ids_ptr, "/user-emails", out);
    /* removing: ids as given (they may have left the organization), emails
     * resolved */
    err = groups_resolve_users(rq, org, NULL, a->emails, ids_ptr, "/user-emails", out);
    json_array_foreach(a->ids, i, v) if (err == CM_OK) json_array_append(*out, v);
    return err;
}

/* An add or remove action on the group of the path. */
static cm_err act(struct cm_req *rq, struct cm_resp *out, enum gs_subject s, int add)
{
    const char *id = cm_req_param(rq, "id");
    struct action a = {.s = s, .add = add};
    struct group_list g = {0, NULL, NULL};
    char org[GS_ID_LEN];
    json_t *targets = NULL, *v;
    size_t i;
    cm_err err = groups_load(rq, id, NULL, NULL, AUTHZ_WRITE, &g);

    if (err != CM_OK)
        return err;
    snprintf(org, sizeof org, "%s", g.items[0].organization_id);
    GS_LIST_RELEASE(&g);
    err = read_action(rq, id, org, &a);
    if (err == CM_OK)
        err = action_targets(rq, org, &a, &targets);
    if (err == CM_OK)
        err = cm_pg_begin(rq->w->pg);
    if (err == CM_OK) {
        json_array_foreach(targets, i, v)
        {
            if (err == CM_OK)
                err = groups_subject_change(rq, id, s, json_string_value(v), add);
            if (err == CM_OK && a.from[0])
                err = groups_subject_change(rq, a.from, s, json_string_value(v), 0);
        }
        if (err == CM_OK)
            err = gs_group_touch(rq->w->pg, id);
        if (err == CM_OK && a.from[0])
            err = gs_group_touch(rq->w->pg, a.from);
        err = cm_pg_end(rq->w->pg, err);
    }
    if (err == CM_OK)
        err = groups_respond_v1(rq, out, 201, id, a.with_individuals, a.with_members);
    json_decref(targets);
    json_decref(a.ids);
    json_decref(a.emails);
    return err;
}

cm_err groups_add_individuals(struct cm_req *rq, struct cm_resp *out)
{
    return act(rq, out, GS_INDIVIDUAL, 1);
}

cm_err groups_add_leaders(struct cm_req *rq, struct cm_resp *out)
{
    return act(rq, out, GS_LEADER, 1);
}

cm_err groups_add_members(struct cm_req *rq, struct cm_resp *out)
{
    return act(rq, out, GS_MEMBER, 1);
}

cm_err groups_remove_individuals(struct cm_req *rq, struct cm_resp *out)
{
    return act(rq, out, GS_INDIVIDUAL, 0);
}

cm_err groups_remove_leaders(struct cm_req *rq, struct cm_resp *out)
{
    return act(rq, out, GS_LEADER, 0);
}

cm_err groups_remove_members(struct cm_req *rq, struct cm_resp *out)
{
    return act(rq, out, GS_MEMBER, 0);
}

/* --- move-group --- */

cm_err groups_move(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"to-parent-group-id", NULL};
    const char *id = cm_req_param(rq, "id");
    struct group_list g = {0, NULL, NULL}, dest = {0, NULL, NULL};
    json_t *body = NULL;
    char to[GS_ID_LEN], org[GS_ID_LEN], from[GS_ID_LEN], task[GS_ID_LEN], why[128];
    cm_err err = groups_load(rq, id, NULL, NULL, AUTHZ_WRITE, &g);

    if (err != CM_OK)
        return err;
    snprintf(org, sizeof org, "%s", g.items[0].organization_id);
    GS_LIST_RELEASE(&g);
    err = cm_req_json_object(rq, allowed, &body);
    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "to-parent-group-id", 1, to);
    json_decref(body);
    if (err == CM_OK)
        err = groups_load(rq, to, "/to-parent-group-id", NULL, AUTHZ_WRITE, &dest);
    if (err == CM_OK &&
        groups_move_verdict(id, org, to, dest.items[0].organization_id, why, sizeof why))
        err = cm_fail_at(rq, CM_EINVAL, "/to-parent-group-id", NULL, "%s", why);
    GS_LIST_RELEASE(&dest);
    if (err == CM_OK)
        err = cm_pg_begin(rq->w->pg);
    if (err == CM_OK) {
        err = gs_group_move(rq->w->pg, org, id, to, groups_caller(rq), from, task);
        if (err == CM_EINVAL)
            err = cm_fail_at(rq, err, "/to-parent-group-id", NULL,
                             "a group cannot move into its own subtree");
        if (err == CM_OK)
            err = groups_event_group(rq->w->pg, id, org, to, "moved");
        err = cm_pg_end(rq->w->pg, err);
    }
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, json_pack("{s:{s:s}}", "data", "task-id", task));
    return CM_OK;
}
