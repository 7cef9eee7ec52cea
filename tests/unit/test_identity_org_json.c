/* test_identity_org_json.c: the organizations and user-organizations
 * resources as identity renders them from records (org_json.h): attribute
 * names and order, theme-id null when unset, logo-ready-to-use from the logo
 * URL, and the "<user-id>:<org-id>" id and integer count of a membership. */
// links: services/identity/org_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>

#include "../../services/identity/org_json.h"

/* j as compact text in build order (caller frees); releases j. */
static char *text_of(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

    json_decref(j);
    cr_assert(s != NULL);
    return s;
}

static const struct org_rec org = {"o-1",     "acme", "Acme", "customer", "clinic",
                                   "open",    "UTC",  "",     "",         "2026-01-02T03:04:05Z",
                                   "ignored", 1};

Test(org_json, organization_without_theme_or_logo)
{
    char *s = text_of(org_json_resource(&org));

    cr_expect(eq(str, s,
                 "{\"type\":\"organizations\",\"id\":\"o-1\",\"attributes\":{"
                 "\"authorization-type\":\"open\",\"classification\":\"customer\","
                 "\"display-name\":\"Acme\",\"is-active\":true,"
                 "\"last-modified-time\":\"2026-01-02T03:04:05Z\",\"logo-ready-to-use\":false,"
                 "\"name\":\"acme\",\"provider-type\":\"clinic\",\"theme-id\":null,"
                 "\"timezone\":\"UTC\"}}"));
    free(s);
}

Test(org_json, organization_with_theme_and_logo_inactive)
{
    struct org_rec o = org;
    json_t *r, *a;

    o.theme_id = "t-1";
    o.logo_url = "https://x/logo.png";
    o.is_active = 0;
    r = org_json_resource(&o);
    a = json_object_get(r, "attributes");
    cr_expect(eq(str, (char *)json_string_value(json_object_get(a, "theme-id")), "t-1"));
    cr_expect(eq(int, json_is_true(json_object_get(a, "logo-ready-to-use")) ? 1 : 0, 1));
    cr_expect(eq(int, json_is_false(json_object_get(a, "is-active")) ? 1 : 0, 1));
    json_decref(r);
}

Test(org_json, membership)
{
    struct membership_rec m = {"u-1", "o-1", "acme", "Acme", 3};
    char *s = text_of(org_json_membership(&m));

    cr_expect(eq(str, s,
                 "{\"type\":\"user-organizations\",\"id\":\"u-1:o-1\",\"attributes\":{"
                 "\"organization-count\":3,\"organization-display-name\":\"Acme\","
                 "\"organization-id\":\"o-1\",\"organization-name\":\"acme\","
                 "\"user-id\":\"u-1\"}}"));
    free(s);
}

Test(org_json, lists_keep_order_and_empty_is_array)
{
    struct org_rec two[2] = {org, org};
    struct org_list l = {2, two, NULL}, none = {0};
    struct membership_list mnone = {0};
    json_t *a;

    two[1].id = "o-2";
    a = org_json_list(&l);
    cr_assert(eq(sz, json_array_size(a), 2));
    cr_expect(
        eq(str, (char *)json_string_value(json_object_get(json_array_get(a, 1), "id")), "o-2"));
    json_decref(a);
    a = org_json_list(&none);
    cr_expect(eq(sz, json_array_size(a), 0));
    json_decref(a);
    a = org_json_membership_list(&mnone);
    cr_expect(eq(int, json_is_array(a) ? 1 : 0, 1));
    json_decref(a);
}
