/* group_json.c: JSON of groups and of the people in them (group_json.h). */
#include "group_json.h"

#include <string.h>

#include "cm_jsonapi.h"

json_t *gj_comm_prefs(void)
{
    return json_pack("{s:{}, s:{}, s:{}, s:{}, s:{}}", "email", "mobile", "sms", "voice", "web");
}

/* A string, or null for "". */
static json_t *str_or_null(const char *s)
{
    return cm_json_str_or_null(s);
}

json_t *gj_individual_summary(const PGresult *res, int row)
{
    const char *first = gs_col(res, row, "first_name");
    const char *last = gs_col(res, row, "last_name");
    int email_v = gs_bool(res, row, "email_verified");
    int phone_v = gs_bool(res, row, "phone_verified");
    int registered = gs_bool(res, row, "registered");
    json_t *name = json_sprintf("%s%s%s", first, first[0] && last[0] ? " " : "", last);

    return json_pack("{s:o, s:o, s:b, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:b, s:s, s:b, s:s, "
                     "s:s, s:b}",
                     "birth-date", str_or_null(gs_col(res, row, "birth_date")),
                     "communication-preferences", gj_comm_prefs(), "email-verified", email_v,
                     "first-name", first, "id", gs_col(res, row, "id"), "last-name", last, "name",
                     name ? name : json_string(""), "owner", "id", gs_col(res, row, "owner_id"),
                     "type", "organization", "phone-verified", phone_v, "preferred-name", first,
                     "registered", registered, "registration-invite",
                     registered ? "accepted" : "none", "tz", "", "verified", email_v || phone_v);
}

json_t *gj_person(const PGresult *res, int row, int leader)
{
    json_t *p = json_pack("{s:o, s:o, s:s, s:b, s:s, s:s, s:o, s:s, s:b, s:s, s:b}",
                          "communication-preferences", gj_comm_prefs(), "created-by-id",
                          str_or_null(gs_col(res, row, "added_by")), "email",
                          gs_col(res, row, "email"), "email-verified", 1, "first-name",
                          gs_col(res, row, "first_name"), "id", gs_col(res, row, "id"),
                          "individual-id", str_or_null(gs_col(res, row, "individual_id")),
                          "last-name", gs_col(res, row, "last_name"), "phone-verified", 0,
                          "registration-invite", "accepted", "verified", 1);

    if (p && leader)
        json_object_set_new(p, "enabled", json_boolean(gs_bool(res, row, "enabled")));
    return p;
}

json_t *gj_group_v2_attrs(const struct gs_group *g)
{
    json_t *tags = json_loads(g->tags[0] ? g->tags : "[]", 0, NULL);
    json_t *parent = g->parent_id[0]
                         ? json_pack("{s:s, s:s}", "id", g->parent_id, "name", g->parent_name)
                         : json_null();

    return json_pack("{s:I, s:I, s:b, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "child-count",
                     (json_int_t)g->child_count, "individuals-count",
                     (json_int_t)g->individuals_count, "is-active", g->is_active,
                     "last-modified-time", g->last_modified_time, "name", g->name, "node-type",
                     g->node_type, "organization-id", g->organization_id, "parent-group",
                     parent ? parent : json_null(), "tags", tags ? tags : json_array(), "type",
                     g->type);
}

json_t *gj_group_v1_attrs(const struct gs_group *g, int self_can_write, int with_individuals,
                          int with_members)
{
    json_t *a = gj_group_v2_attrs(g);

    if (!a)
        return NULL;
    json_object_set_new(a, "members-can-write", json_boolean(g->members_can_write));
    json_object_set_new(a, "self-can-write", json_boolean(self_can_write));
    json_object_set_new(a, "individual-ids", json_array());
    json_object_set_new(a, "leader-ids", json_array());
    json_object_set_new(a, "leaders", json_array());
    if (with_individuals)
        json_object_set_new(a, "individuals", json_array());
    if (with_members)
        json_object_set_new(a, "members", json_array());
    return a;
}

/* Appends item (stolen) to the array member name of attrs, when there. */
static void append(json_t *attrs, const char *name, json_t *item)
{
    json_t *arr = json_object_get(attrs, name);

    if (json_is_array(arr) && item)
        json_array_append_new(arr, item);
    else
        json_decref(item);
}

void gj_group_attach(json_t *by_id, const PGresult *res, enum gs_subject s)
{
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *attrs = json_object_get(by_id, gs_col(res, i, "group_id"));
        const char *id = gs_col(res, i, "id");

        if (!attrs)
            continue;
        switch (s) {
        case GS_INDIVIDUAL:
            append(attrs, "individual-ids", json_string(id));
            if (json_object_get(attrs, "individuals"))
                append(attrs, "individuals", gj_individual_summary(res, i));
            break;
        case GS_LEADER:
            append(attrs, "leader-ids", json_string(id));
            append(attrs, "leaders", gj_person(res, i, 1));
            break;
        case GS_MEMBER:
            append(attrs, "members", gj_person(res, i, 0));
            break;
        }
    }
}
