/* handlers_groups.c: the individual-groups resource itself: create (#40),
 * read (#41, v2 #157), update (#42) and the lists (#39, v2 #156)
 * (handlers_groups.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "group_json.h"
#include "handlers_groups.h"

#define ATTR "/data/attributes"
#define CMP_PARAM "filter[cmp-last-modified-time]"

/* The parts of a create or update body shared by both. */
struct group_body {
    const char *name;
    json_t *tags;    /* owned; NULL when not given */
    json_t *leaders; /* owned; leader-ids as given */
    int members_can_write;
};

static void group_body_release(struct group_body *b)
{
    json_decref(b->tags);
    json_decref(b->leaders);
}

/* Reads name, tags, leader-ids and members-can-write of attrs. */
static cm_err read_group_body(struct cm_req *rq, const json_t *attrs, int name_required,
                              struct group_body *b)
{
    cm_err err = cm_json_str(rq, attrs, ATTR, "name", name_required, 0, GROUPS_NAME_CHARS,
                             &b->name);

    if (err == CM_OK)
        err = groups_json_strings(rq, attrs, ATTR, "tags", 0, 0, GROUPS_TAG_CHARS,
                                  GROUPS_MAX_TAGS, &b->tags);
    if (err == CM_OK)
        err = groups_json_strings(rq, attrs, ATTR, "leader-ids", 0, 1, CM_UUID_LEN,
                                  GROUPS_MAX_IDS, &b->leaders);
    if (err == CM_OK)
        err = cm_json_bool(rq, attrs, ATTR, "members-can-write", 0, -1, &b->members_can_write);
    return err;
}

/* A string attribute from a fixed set, def when not given. */
static cm_err read_enum(struct cm_req *rq, const json_t *attrs, const char *name,
                        int (*valid)(const char *), const char *what, const char *def,
                        const char **out)
{
    char ptr[64];
    cm_err err = cm_json_str(rq, attrs, ATTR, name, 0, 0, 32, out);

    snprintf(ptr, sizeof ptr, ATTR "/%s", name);
    if (err == CM_OK && !*out)
        *out = def;
    else if (err == CM_OK && !valid(*out))
        err = cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s must be %s", name, what);
    return err;
}

/* Where a new group goes: under parent (group:parent:write), else at the
 * top of org (its admin). The organization to org_out. */
static cm_err create_place(struct cm_req *rq, const char *org, const char *parent,
                           char org_out[GS_ID_LEN])
{
    struct group_list p = {0, NULL, NULL};
    cm_err err;

    if (parent[0]) {
        err = groups_load(rq, parent, ATTR "/parent-group-id", NULL, AUTHZ_WRITE, &p);
        if (err != CM_OK)
            return err;
        snprintf(org_out, GS_ID_LEN, "%s", p.items[0].organization_id);
        GS_LIST_RELEASE(&p);
        if (org[0] && strcmp(org, org_out))
            return cm_fail_at(rq, CM_EINVAL, ATTR "/organization-id", NULL,
                              "the parent group is in another organization");
        return CM_OK;
    }
    if (!org[0])
        return cm_fail_at(rq, CM_EINVAL, ATTR "/organization-id", NULL,
                          "organization-id (or parent-group-id) is required");
    snprintf(org_out, GS_ID_LEN, "%s", org);
    return groups_require_org_admin(rq, org, ATTR "/organization-id",
                                    "only an administrator of the organization may create a "
                                    "top-level group");
}

/* Adds every string of ids to group as subject s (inside a transaction). */
static cm_err add_all(struct cm_req *rq, const char *group, enum gs_subject s, const json_t *ids)
{
    json_t *v;
    size_t i;
    cm_err err = CM_OK;

    json_array_foreach(ids, i, v) if (err == CM_OK) err =
        groups_subject_change(rq, group, s, json_string_value(v), 1);
    return err;
}

cm_err groups_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"individual-ids", "leader-ids",      "members-can-write",
                                          "name",           "node-type",       "organization-id",
                                          "parent-group-id", "tags",           "type",
                                          NULL};
    struct group_body b = {0};
    json_t *doc = NULL, *attrs, *individuals = NULL, *leaders = NULL, *tags;
    char org[GS_ID_LEN], parent[GS_ID_LEN], where[GS_ID_LEN], id[GS_ID_LEN];
    const char *node_type = NULL, *type = NULL;
    char *tags_json = NULL;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, GJ_GROUP_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = read_group_body(rq, attrs, 1, &b);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "organization-id", 0, org);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "parent-group-id", 0, parent);
    if (err == CM_OK)
        err = read_enum(rq, attrs, "node-type", groups_node_type_valid, "division or group",
                        "group", &node_type);
    if (err == CM_OK)
        err = read_enum(rq, attrs, "type", groups_type_valid,
                        "all_participants, provider_only, regular or unassigned", "regular",
                        &type);
    if (err == CM_OK)
        err = groups_json_strings(rq, attrs, ATTR, "individual-ids", 0, 1, CM_UUID_LEN,
                                  GROUPS_MAX_IDS, &individuals);
    if (err == CM_OK)
        err = create_place(rq, org, parent, where);
    if (err == CM_OK)
        err = groups_resolve_users(rq, where, b.leaders, NULL, ATTR "/leader-ids", NULL,
                                   &leaders);
    if (err == CM_OK)
        err = groups_check_individuals(rq, where, individuals, ATTR "/individual-ids");
    tags = b.tags ? b.tags : json_array();
    if (err == CM_OK && !(tags_json = json_dumps(tags, JSON_COMPACT)))
        err = CM_ENOMEM;
    if (tags != b.tags)
        json_decref(tags);
    if (err == CM_OK)
        err = cm_pg_begin(rq->w->pg);
    if (err == CM_OK) {
        struct gs_group_new g = {where,     parent,    b.name, node_type,
                                 type,      tags_json, b.members_can_write > 0,
                                 groups_caller(rq)};
        err = gs_group_create(rq->w->pg, &g, id);
        if (err == CM_OK)
            err = groups_event_group(rq->w->pg, id, where, parent, "created");
        if (err == CM_OK)
            err = add_all(rq, id, GS_LEADER, leaders);
        if (err == CM_OK)
            err = add_all(rq, id, GS_INDIVIDUAL, individuals);
        err = cm_pg_end(rq->w->pg, err);
    }
    if (err == CM_OK)
        err = groups_respond_v1(rq, out, 201, id, 0, 0);
    free(tags_json);
    json_decref(individuals);
    json_decref(leaders);
    group_body_release(&b);
    json_decref(doc);
    return err;
}

/* Reads with-individuals and with-members of the query (nothing else
 * allowed but extra, NULL-terminated, may be NULL). */
static cm_err read_with(struct cm_req *rq, int *with_individuals, int *with_members)
{
    static const char *const known[] = {"with-individuals", "with-members", NULL};
    cm_err err = cm_query_known(rq, known);

    if (err == CM_OK)
        err = cm_query_bool(rq, "with-individuals", 0, with_individuals);
    if (err == CM_OK)
        err = cm_query_bool(rq, "with-members", 0, with_members);
    return err;
}

cm_err groups_read_v1(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    int with_i = 0, with_m = 0;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = read_with(rq, &with_i, &with_m);
    if (err == CM_OK)
        err = groups_load(rq, id, NULL, NULL, AUTHZ_READ, NULL);
    return err == CM_OK ? groups_respond_v1(rq, out, 200, id, with_i, with_m) : err;
}

cm_err groups_read_v2(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[include-inactive]", NULL};
    const char *id = cm_req_param(rq, "id");
    struct group_list l = {0, NULL, NULL};
    int inactive = 0;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-inactive]", 0, &inactive);
    if (err == CM_OK)
        err = groups_load(rq, id, NULL, NULL, AUTHZ_READ, &l);
    if (err != CM_OK)
        return err;
    if (!inactive && !l.items[0].is_active) {
        GS_LIST_RELEASE(&l);
        return cm_fail(rq, CM_ENOTFOUND, "the group is inactive (see filter[include-inactive])");
    }
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(gj_group_v2_resource(&l.items[0])));
    GS_LIST_RELEASE(&l);
    return CM_OK;
}

/* Makes group's leaders exactly the users of want (inside a transaction). */
static cm_err replace_leaders(struct cm_req *rq, const char *group, const json_t *want)
{
    struct id_list have_ids = {0, NULL, NULL};
    json_t *v;
    size_t i;
    cm_err err = gs_subject_ids(rq->w->pg, group, GS_LEADER, &have_ids);

    for (size_t r = 0; err == CM_OK && r < have_ids.n; r++) {
        const char *have = have_ids.items[r].id;
        int keep = 0;
        json_array_foreach(want, i, v) keep |= !strcmp(json_string_value(v), have);
        if (!keep)
            err = groups_subject_change(rq, group, GS_LEADER, have, 0);
    }
    GS_LIST_RELEASE(&have_ids);
    if (err == CM_OK)
        err = add_all(rq, group, GS_LEADER, want);
    return err;
}

cm_err groups_update(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"is-active", "leader-ids", "members-can-write",
                                          "name",      "tags",       NULL};
    const char *id = cm_req_param(rq, "id");
    struct group_body b = {0};
    struct group_list l = {0, NULL, NULL};
    const struct group_rec *g;
    json_t *doc = NULL, *attrs, *leaders = NULL;
    char *tags_json = NULL;
    int is_active = -1;
    cm_err err = groups_load(rq, id, NULL, NULL, AUTHZ_WRITE, &l);

    if (err != CM_OK)
        return err;
    g = &l.items[0];
    err = cm_req_jsonapi(rq, GJ_GROUP_TYPE, id, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = read_group_body(rq, attrs, 0, &b);
    if (err == CM_OK)
        err = cm_json_bool(rq, attrs, ATTR, "is-active", 0, -1, &is_active);
    if (err == CM_OK && b.leaders)
        err = groups_resolve_users(rq, g->organization_id, b.leaders, NULL, ATTR "/leader-ids",
                                   NULL, &leaders);
    if (err == CM_OK && b.tags && !(tags_json = json_dumps(b.tags, JSON_COMPACT)))
        err = CM_ENOMEM;
    if (err == CM_OK)
        err = cm_pg_begin(rq->w->pg);
    if (err == CM_OK) {
        err = gs_group_update(rq->w->pg, id, b.name, tags_json, is_active, b.members_can_write);
        if (err == CM_OK && leaders)
            err = replace_leaders(rq, id, leaders);
        if (err == CM_OK)
            err = groups_event_group(rq->w->pg, id, g->organization_id, g->parent_id, "updated");
        err = cm_pg_end(rq->w->pg, err);
    }
    GS_LIST_RELEASE(&l);
    if (err == CM_OK)
        err = groups_respond_v1(rq, out, 200, id, 0, 0);
    free(tags_json);
    json_decref(leaders);
    group_body_release(&b);
    json_decref(doc);
    return err;
}

/* The groups lists: v1 (#39) or v2 (#156). */
static cm_err list(struct cm_req *rq, struct cm_resp *out, int v1)
{
    struct groups_list_input in;
    struct gs_scope sc;
    struct group_list l = {0, NULL, NULL};
    json_t *data = NULL;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    err = groups_list_input_read(rq, v1, &in);
    groups_scope_of(rq, &sc);
    if (err == CM_OK) {
        err = gs_groups_list(rq->w->pg, &sc, &in.q, &l);
        if (err == CM_EINVAL) /* a time Postgres refused (month 13, ...) */
            err = cm_fail_at(rq, err, NULL, CMP_PARAM, "not a valid date-time");
    }
    if (err == CM_OK && v1)
        err = groups_render_v1(rq, &l, in.with_individuals, in.with_members, &data);
    if (err == CM_OK && !v1) {
        data = json_array();
        for (size_t i = 0; i < l.n; i++)
            json_array_append_new(data, gj_group_v2_resource(&l.items[i]));
    }
    GS_LIST_RELEASE(&l);
    groups_list_input_release(&in);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}

cm_err groups_list_v1(struct cm_req *rq, struct cm_resp *out)
{
    return list(rq, out, 1);
}

cm_err groups_list_v2(struct cm_req *rq, struct cm_resp *out)
{
    return list(rq, out, 0);
}
