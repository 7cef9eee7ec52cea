/* test_authz_group_json.c: authz's renderers of groups, people and
 * individuals (group_json.h) from store records, without a database. */
// clang-format off
// links: services/authz/group_json.c
// clang-format on
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "../../services/authz/group_json.h"

#define G1 "11111111-1111-1111-1111-111111111111"
#define G2 "22222222-2222-2222-2222-222222222222"
#define O1 "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
#define I1 "cccccccc-cccc-cccc-cccc-cccccccccccc"
#define U1 "dddddddd-dddd-dddd-dddd-dddddddddddd"

static const struct group_rec child = {
    .id = G2,
    .organization_id = O1,
    .parent_id = G1,
    .parent_name = "Top",
    .name = "Ward",
    .node_type = "group",
    .type = "regular",
    .tags = "[\"north\"]",
    .is_active = 1,
    .members_can_write = 1,
    .last_modified_time = "2026-01-02T03:04:05.000006Z",
    .child_count = 0,
    .individuals_count = 3,
};

/* json_is_* are macros, which Criterion's cr_assert cannot take as is */
static int yes(int x)
{
    return x;
}

static const char *str(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

Test(group_json, v2_attributes_of_a_subgroup)
{
    json_t *a = gj_group_v2_attrs(&child);
    cr_assert(a != NULL);
    cr_assert(eq(str, (char *)str(a, "name"), "Ward"));
    cr_assert(eq(str, (char *)str(json_object_get(a, "parent-group"), "id"), G1));
    cr_assert(eq(str, (char *)str(json_object_get(a, "parent-group"), "name"), "Top"));
    cr_assert(
        eq(str, (char *)json_string_value(json_array_get(json_object_get(a, "tags"), 0)), "north"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(a, "individuals-count")), 3));
    cr_assert(yes(json_is_true(json_object_get(a, "is-active"))));
    cr_assert(json_object_get(a, "self-can-write") == NULL, "v2 has no self-can-write");
    json_decref(a);
}

Test(group_json, a_top_group_has_a_null_parent_and_empty_tags)
{
    struct group_rec top = child;
    top.parent_id = "";
    top.tags = "";
    json_t *a = gj_group_v2_attrs(&top);
    cr_assert(yes(json_is_null(json_object_get(a, "parent-group"))));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "tags")), 0));
    json_decref(a);
}

Test(group_json, v1_attributes_get_people_attached_by_group)
{
    json_t *a = gj_group_v1_attrs(&child, 0, 1, 0);
    json_t *by_id = json_pack("{s:O}", G2, a);
    struct individual_rec ind = {.group_id = G2,
                                 .id = I1,
                                 .owner_id = O1,
                                 .user_id = "",
                                 .first_name = "Ada",
                                 .last_name = "Lovelace",
                                 .email = "",
                                 .birth_date = "",
                                 .email_verified = 0,
                                 .phone_verified = 1,
                                 .registered = 1};
    struct individual_rec other = ind;
    other.group_id = G1; /* not on this page: ignored */
    struct individual_rec inds_items[2] = {ind, other};
    struct individual_list inds = {2, inds_items, NULL};
    struct person_rec lead = {.group_id = G2,
                              .id = U1,
                              .added_by = "",
                              .email = "l@x.test",
                              .first_name = "Lea",
                              .last_name = "Der",
                              .username = "lea",
                              .individual_id = "",
                              .enabled = 1};
    struct person_list leaders = {1, &lead, NULL};

    gj_group_attach_individuals(by_id, &inds);
    gj_group_attach_people(by_id, &leaders, GS_LEADER);
    cr_assert(yes(json_is_false(json_object_get(a, "self-can-write"))));
    cr_assert(yes(json_is_true(json_object_get(a, "members-can-write"))));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "individual-ids")), 1));
    json_t *s = json_array_get(json_object_get(a, "individuals"), 0);
    cr_assert(eq(str, (char *)str(s, "name"), "Ada Lovelace"));
    cr_assert(eq(str, (char *)str(s, "registration-invite"), "accepted"));
    cr_assert(yes(json_is_true(json_object_get(s, "verified"))));
    cr_assert(yes(json_is_null(json_object_get(s, "birth-date"))));
    json_t *l = json_array_get(json_object_get(a, "leaders"), 0);
    cr_assert(eq(str, (char *)str(l, "id"), U1));
    cr_assert(yes(json_is_true(json_object_get(l, "enabled"))));
    cr_assert(yes(json_is_null(json_object_get(l, "individual-id"))));
    cr_assert(json_object_get(a, "members") == NULL, "members only when asked for");
    json_decref(by_id);
    json_decref(a);
}

Test(group_json, a_log_names_its_individual_only_for_individual_subjects)
{
    struct group_log_rec x = {.id = "7",
                              .group_id = G1,
                              .subject = "leader",
                              .subject_id = U1,
                              .event = "added",
                              .created_by = "",
                              .created_time = "2026-01-02T03:04:05.000006Z"};
    json_t *r = gj_group_log_resource(&x);
    json_t *a = json_object_get(r, "attributes");
    cr_assert(yes(json_is_null(json_object_get(a, "individual-id"))));
    cr_assert(yes(json_is_null(json_object_get(a, "created-by"))));
    cr_assert(eq(str, (char *)str(a, "subject-id"), U1));
    json_decref(r);
    x.subject = "individual";
    x.subject_id = I1;
    x.created_by = U1;
    r = gj_group_log_resource(&x);
    a = json_object_get(r, "attributes");
    cr_assert(eq(str, (char *)str(a, "individual-id"), I1));
    cr_assert(eq(str, (char *)str(json_object_get(a, "created-by"), "id"), U1));
    json_decref(r);
}
