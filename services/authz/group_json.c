/* group_json.c: JSON of groups, of the people in them and of individuals
 * (group_json.h). */
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

json_t *gj_individual_summary(const struct individual_rec *i)
{
    const char *first = i->first_name, *last = i->last_name;
    json_t *name = json_sprintf("%s%s%s", first, first[0] && last[0] ? " " : "", last);

    return json_pack("{s:o, s:o, s:b, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:b, s:s, s:b, s:s, "
                     "s:s, s:b}",
                     "birth-date", str_or_null(i->birth_date), "communication-preferences",
                     gj_comm_prefs(), "email-verified", i->email_verified, "first-name", first,
                     "id", i->id, "last-name", last, "name", name ? name : json_string(""),
                     "owner", "id", i->owner_id, "type", "organization", "phone-verified",
                     i->phone_verified, "preferred-name", first, "registered", i->registered,
                     "registration-invite", i->registered ? "accepted" : "none", "tz", "",
                     "verified", i->email_verified || i->phone_verified);
}

json_t *gj_person(const struct person_rec *p, int leader)
{
    json_t *j = json_pack("{s:o, s:o, s:s, s:b, s:s, s:s, s:o, s:s, s:b, s:s, s:b}",
                          "communication-preferences", gj_comm_prefs(), "created-by-id",
                          str_or_null(p->added_by), "email", p->email, "email-verified", 1,
                          "first-name", p->first_name, "id", p->id, "individual-id",
                          str_or_null(p->individual_id), "last-name", p->last_name,
                          "phone-verified", 0, "registration-invite", "accepted", "verified", 1);

    if (j && leader)
        json_object_set_new(j, "enabled", json_boolean(p->enabled));
    return j;
}

json_t *gj_group_v2_attrs(const struct group_rec *g)
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

json_t *gj_group_v2_resource(const struct group_rec *g)
{
    json_t *attrs = gj_group_v2_attrs(g);
    return attrs ? cm_jsonapi_resource(GJ_GROUP_TYPE, g->id, attrs) : NULL;
}

json_t *gj_group_v1_attrs(const struct group_rec *g, int self_can_write, int with_individuals,
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

void gj_group_attach_individuals(json_t *by_id, const struct individual_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        json_t *attrs = json_object_get(by_id, l->items[i].group_id);

        if (!attrs)
            continue;
        append(attrs, "individual-ids", json_string(l->items[i].id));
        if (json_object_get(attrs, "individuals"))
            append(attrs, "individuals", gj_individual_summary(&l->items[i]));
    }
}

void gj_group_attach_people(json_t *by_id, const struct person_list *l, enum gs_subject s)
{
    for (size_t i = 0; i < l->n; i++) {
        json_t *attrs = json_object_get(by_id, l->items[i].group_id);

        if (!attrs)
            continue;
        if (s == GS_LEADER) {
            append(attrs, "leader-ids", json_string(l->items[i].id));
            append(attrs, "leaders", gj_person(&l->items[i], 1));
        } else if (s == GS_MEMBER) {
            append(attrs, "members", gj_person(&l->items[i], 0));
        }
    }
}

json_t *gj_group_individual_item(const struct individual_rec *i, const char *group)
{
    return json_pack("{s:s, s:{s:o, s:s}}", "type", "individual-group-individuals", "attributes",
                     "individual", gj_individual_summary(i), "individual-group-id", group);
}

json_t *gj_group_leader_item(const struct person_rec *p, const char *group)
{
    return json_pack("{s:s, s:{s:s, s:{s:s, s:s, s:s, s:s}}}", "type", "individual-group-leaders",
                     "attributes", "individual-group-id", group, "leader", "first-name",
                     p->first_name, "id", p->id, "last-name", p->last_name, "username",
                     p->username);
}

json_t *gj_group_log_resource(const struct group_log_rec *x)
{
    json_t *attrs = json_pack(
        "{s:o, s:s, s:s, s:s, s:o, s:s, s:s}", "created-by",
        x->created_by[0] ? json_pack("{s:s}", "id", x->created_by) : json_null(), "created-time",
        x->created_time, "event", x->event, "individual-group-id", x->group_id, "individual-id",
        cm_json_str_or_null(!strcmp(x->subject, "individual") ? x->subject_id : ""), "subject",
        x->subject, "subject-id", x->subject_id);

    return attrs ? cm_jsonapi_resource("individual-group-logs", x->id, attrs) : NULL;
}

json_t *gj_eligible_item(const struct eligible_rec *e)
{
    return json_pack("{s:o, s:s, s:b, s:s, s:s, s:o, s:s, s:s, s:b, s:b}",
                     "communication-preferences", gj_comm_prefs(), "email", e->email,
                     "email-verified", e->email_verified, "first-name", e->first_name, "id", e->id,
                     "individual-id", cm_json_str_or_null(e->individual_id), "last-name",
                     e->last_name, "member-type", e->member_type, "phone-verified",
                     e->phone_verified, "verified", e->verified);
}

json_t *gj_individual_doc(const struct individual_rec *i)
{
    return cm_jsonapi_doc(cm_jsonapi_resource("individuals", i->id,
                                              json_pack("{s:s}", "owner-id", i->owner_id)));
}
