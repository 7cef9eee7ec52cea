/* test_identity_role_json.c: the roles and role-users resources as identity
 * renders them from records (role_json.h): attribute names, nesting, order
 * and the integer id of a role-users resource. */
// links: services/identity/role_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/identity/role_json.h"

static const struct role_rec role = {"r-1", "nurse", "Nurse", "o-1", "acme", "Acme", "t"};

/* j as compact text with keys sorted as built (caller frees). */
static char *text_of(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

    json_decref(j);
    cr_assert(s != NULL);
    return s;
}

Test(role_json, role_resource)
{
    char *s = text_of(role_json_resource(&role));

    cr_expect(eq(str, s,
                 "{\"type\":\"roles\",\"id\":\"r-1\",\"attributes\":{\"display-name\":\"Nurse\","
                 "\"name\":\"nurse\",\"organization\":{\"display-name\":\"Acme\",\"id\":\"o-1\","
                 "\"name\":\"acme\"},\"organization-id\":\"o-1\"}}"));
    free(s);
}

Test(role_json, role_user_resource_has_integer_id)
{
    struct role_user_rec ru = {"42", "r-1", "nurse", "u-1", "a@example.org"};
    char *s = text_of(role_json_user_resource(&ru));

    cr_expect(eq(str, s,
                 "{\"type\":\"role-users\",\"id\":42,\"attributes\":{\"role\":{\"id\":\"r-1\","
                 "\"name\":\"nurse\"},\"user\":{\"email\":\"a@example.org\",\"id\":\"u-1\"}}}"));
    free(s);
}

Test(role_json, lists_keep_order_and_empty_is_array)
{
    struct role_rec two[2] = {role, role};
    struct role_list l = {2, two, NULL}, none = {0};
    json_t *a;

    two[1].id = "r-2";
    a = role_json_list(&l);
    cr_assert(eq(sz, json_array_size(a), 2));
    cr_expect(
        eq(str, (char *)json_string_value(json_object_get(json_array_get(a, 1), "id")), "r-2"));
    json_decref(a);
    a = role_json_list(&none);
    cr_expect(eq(int, json_is_array(a) ? 1 : 0, 1));
    cr_expect(eq(sz, json_array_size(a), 0));
    json_decref(a);
}
