/* test_identity_api_client_json.c: the api-clients resource as identity
 * renders it from records (api_client_json.h): attribute order, nulls for
 * no organization / not revoked, the key only when given, and NULL for a
 * malformed roles column. */
// links: services/identity/api_client_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>

#include "../../services/identity/api_client_json.h"

static const struct api_client_rec client = {
    "c-1", "api-ab", "bot", "o-1", "[\"admin\"]", "2026-01-02T03:04:05Z", "", "", "now"};

/* j as compact text in build order (caller frees); releases j. */
static char *text_of(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

    json_decref(j);
    cr_assert(s != NULL);
    return s;
}

Test(api_client_json, active_client_without_key)
{
    char *s = text_of(api_client_json_resource(&client, NULL));

    cr_expect(eq(str, s,
                 "{\"type\":\"api-clients\",\"id\":\"c-1\",\"attributes\":{\"name\":\"bot\","
                 "\"organization-id\":\"o-1\",\"roles\":[\"admin\"],\"api-user-id\":\"api-ab\","
                 "\"created-at\":\"2026-01-02T03:04:05Z\",\"revoked-at\":null}}"));
    free(s);
}

Test(api_client_json, revoked_client_with_key_and_no_org)
{
    struct api_client_rec c = client;
    char *s;

    c.organization_id = "";
    c.revoked_at = "2026-02-02T00:00:00Z";
    s = text_of(api_client_json_resource(&c, "k3y"));
    cr_expect(eq(str, s,
                 "{\"type\":\"api-clients\",\"id\":\"c-1\",\"attributes\":{\"name\":\"bot\","
                 "\"organization-id\":null,\"roles\":[\"admin\"],\"api-user-id\":\"api-ab\","
                 "\"created-at\":\"2026-01-02T03:04:05Z\","
                 "\"revoked-at\":\"2026-02-02T00:00:00Z\",\"api-key\":\"k3y\"}}"));
    free(s);
}

Test(api_client_json, malformed_roles_is_null_and_list_keeps_order)
{
    struct api_client_rec two[2] = {client, client};
    struct api_client_list l = {2, two, NULL};
    json_t *a;

    two[0].roles = "{";
    cr_expect(api_client_json_resource(&two[0], NULL) == NULL);
    two[0].roles = "[]";
    two[1].id = "c-2";
    a = api_client_json_list(&l);
    cr_assert(eq(sz, json_array_size(a), 2));
    cr_expect(eq(str, (char *)json_string_value(json_object_get(json_array_get(a, 1), "id")),
                 "c-2"));
    json_decref(a);
}
