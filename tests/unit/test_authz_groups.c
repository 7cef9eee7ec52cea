/* test_authz_groups.c: the pure parts of authz's care groups: the
 * filter[cmp-last-modified-time] items, the enums of the lists, arrays of
 * ids and tags in bodies, and the move check. */
// clang-format off
// links: services/authz/handlers_groups_input.c
// clang-format on
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../services/authz/handlers_groups.h"

#define G1 "11111111-1111-1111-1111-111111111111"
#define G2 "22222222-2222-2222-2222-222222222222"
#define O1 "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
#define O2 "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"

/* --- enums --- */

Test(enums, group_types)
{
    cr_assert(groups_type_valid("all_participants"));
    cr_assert(groups_type_valid("provider_only"));
    cr_assert(groups_type_valid("regular"));
    cr_assert(groups_type_valid("unassigned"));
    cr_assert(not(groups_type_valid("Regular")));
    cr_assert(not(groups_type_valid("regular&type=provider_only")));
    cr_assert(not(groups_type_valid("")));
}

Test(enums, node_types)
{
    cr_assert(groups_node_type_valid("division"));
    cr_assert(groups_node_type_valid("group"));
    cr_assert(not(groups_node_type_valid("leaf")));
    cr_assert(groups_tree_node_type_valid("leaf"));
    cr_assert(groups_tree_node_type_valid("non-leaf"));
    cr_assert(not(groups_tree_node_type_valid("group")));
}

/* --- arrays in bodies --- */

/* Runs groups_json_strings on member "a" of the JSON text body. */
static cm_err strings(const char *body, int required, int uuids, size_t maxchars, size_t max,
                      json_t **out, struct cm_req *rq)
{
    json_t *obj = json_loads(body, 0, NULL);
    cm_err err;

    cr_assert(obj != NULL);
    memset(rq, 0, sizeof *rq);
    err = groups_json_strings(rq, obj, "", "a", required, uuids, maxchars, max, out);
    json_decref(obj);
    return err;
}

Test(body_arrays, uuids_deduplicated)
{
    struct cm_req rq;
    json_t *out = NULL;

    cr_assert(eq(int, strings("{\"a\": [\"" G1 "\", \"" G2 "\", \"" G1 "\"]}", 1, 1, 36, 10, &out, &rq),
                 CM_OK));
    cr_assert(eq(sz, json_array_size(out), 2));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(out, 1)), G2));
    json_decref(out);
}

Test(body_arrays, absent_is_null_unless_required)
{
    struct cm_req rq;
    json_t *out = NULL;

    cr_assert(eq(int, strings("{}", 0, 1, 36, 10, &out, &rq), CM_OK));
    cr_assert(out == NULL);
    cr_assert(eq(int, strings("{\"a\": null}", 0, 1, 36, 10, &out, &rq), CM_OK));
    cr_assert(out == NULL);
    cr_assert(eq(int, strings("{}", 1, 1, 36, 10, &out, &rq), CM_EINVAL));
    cr_assert(eq(str, rq.pointer, "/a"));
}

Test(body_arrays, refuses_bad_items_naming_them)
{
    struct cm_req rq;
    json_t *out = NULL;

    cr_assert(eq(int, strings("{\"a\": [\"" G1 "\", \"nope\"]}", 1, 1, 36, 10, &out, &rq),
                 CM_EINVAL));
    cr_assert(eq(str, rq.pointer, "/a/1"));
    cr_assert(eq(int, strings("{\"a\": [\"" G1 "\", 7]}", 1, 1, 36, 10, &out, &rq), CM_EINVAL));
    cr_assert(eq(str, rq.pointer, "/a/1"));
    cr_assert(eq(int, strings("{\"a\": \"" G1 "\"}", 1, 1, 36, 10, &out, &rq), CM_EINVAL));
    cr_assert(eq(str, rq.pointer, "/a"));
    cr_assert(eq(int, strings("{\"a\": []}", 1, 1, 36, 10, &out, &rq), CM_EINVAL));
    cr_assert(eq(int, strings("{\"a\": [\"x\", \"y\", \"z\"]}", 0, 0, 5, 2, &out, &rq),
                 CM_EINVAL)); /* over max items */
    cr_assert(eq(int, strings("{\"a\": [\"\"]}", 0, 0, 5, 2, &out, &rq), CM_EINVAL));
    cr_assert(eq(int, strings("{\"a\": [\"abcdef\"]}", 0, 0, 5, 2, &out, &rq), CM_EINVAL));
}

Test(body_arrays, counts_characters_not_bytes)
{
    struct cm_req rq;
    json_t *out = NULL;

    /* five two-byte characters fit a 5-character limit */
    cr_assert(eq(int, strings("{\"a\": [\"\u00e9\u00e9\u00e9\u00e9\u00e9\"]}", 0, 0, 5, 2, &out, &rq),
                 CM_OK));
    json_decref(out);
}

/* --- moves --- */

Test(move, refuses_itself_and_other_organizations)
{
    char why[128];

    cr_assert(eq(int, groups_move_verdict(G1, O1, G1, O1, why, sizeof why), CM_EINVAL));
    cr_assert(eq(int, groups_move_verdict(G1, O1, G2, O2, why, sizeof why), CM_EINVAL));
    cr_assert(strstr(why, "organization") != NULL);
    cr_assert(eq(int, groups_move_verdict(G1, O1, G2, O1, why, sizeof why), CM_OK));
}
