/* test_identity_features.c: feature flags' pure parts: the resolution rule
 * (features_resolve.h), paging of the enabled ones, id and state checks, and
 * the features / organization-features / user-features resources
 * (feature_json.h). */
// links: services/identity/features_resolve.c services/identity/feature_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/identity/feature_json.h"
#include "../../services/identity/features_resolve.h"

Test(features_resolve, global_when_no_layer_decides)
{
    cr_expect(eq(int, features_resolve(1, "", 0, "", 0), 1));
    cr_expect(eq(int, features_resolve(0, "", 0, "", 0), 0));
    cr_expect(eq(int, features_resolve(1, "dontcare", 1, "dontcare", 1), 1));
    cr_expect(eq(int, features_resolve(0, NULL, 1, NULL, 1), 0));
}

Test(features_resolve, user_over_organization_over_global)
{
    cr_expect(eq(int, features_resolve(0, "enabled", 0, "", 0), 1));
    cr_expect(eq(int, features_resolve(1, "disabled", 0, "", 0), 0));
    cr_expect(eq(int, features_resolve(0, "enabled", 0, "disabled", 0), 0));
    cr_expect(eq(int, features_resolve(0, "disabled", 0, "enabled", 0), 1));
    cr_expect(eq(int, features_resolve(0, "enabled", 0, "dontcare", 0), 1));
}

Test(features_resolve, forced_organization_beats_user_forced_user_beats_both)
{
    cr_expect(eq(int, features_resolve(0, "enabled", 1, "disabled", 0), 1));
    cr_expect(eq(int, features_resolve(1, "disabled", 1, "enabled", 0), 0));
    cr_expect(eq(int, features_resolve(0, "enabled", 1, "disabled", 1), 0));
    /* a forced dontcare forces nothing */
    cr_expect(eq(int, features_resolve(0, "dontcare", 1, "enabled", 0), 1));
    cr_expect(eq(int, features_resolve(1, "disabled", 0, "dontcare", 1), 0));
}

Test(features_resolve, keep_enabled_pages_the_enabled_ones)
{
    struct feature_rec items[5];
    struct feature_list l = {5, items, NULL};

    memset(items, 0, sizeof items);
    for (int i = 0; i < 5; i++) {
        items[i].org_state = items[i].user_state = "";
        items[i].global_enabled = i != 1; /* 0, 2, 3, 4 enabled */
    }
    items[0].id = "a";
    items[2].id = "c";
    items[3].id = "d";
    items[4].id = "e";
    features_keep_enabled(&l, 2, 1);
    cr_assert(eq(sz, l.n, 2));
    cr_expect(eq(str, (char *)l.items[0].id, "c"));
    cr_expect(eq(str, (char *)l.items[1].id, "d"));
}

Test(features_resolve, ids_and_states)
{
    cr_expect(eq(int, features_id_valid("video-visits.v2_beta"), 1));
    cr_expect(eq(int, features_id_valid("9lives"), 1));
    cr_expect(eq(int, features_id_valid(""), 0));
    cr_expect(eq(int, features_id_valid("-x"), 0));
    cr_expect(eq(int, features_id_valid("Video"), 0));
    cr_expect(eq(int, features_id_valid("a b"), 0));
    cr_expect(eq(int, features_id_valid("a/b"), 0));
    cr_expect(eq(
        int, features_id_valid("ab123456789012345678901234567890123456789012345678901234567890123"),
        0));
    cr_expect(eq(int, features_state_valid("enabled"), 1));
    cr_expect(eq(int, features_state_valid("dontcare"), 1));
    cr_expect(eq(int, features_state_valid("Enabled"), 0));
    cr_expect(eq(int, features_state_valid(NULL), 0));
}

/* j as compact text in build order (caller frees). */
static char *text_of(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

    json_decref(j);
    cr_assert(s != NULL);
    return s;
}

Test(feature_json, resources)
{
    struct feature_rec f = {"video", "Video visits", "beta", "t1", "t2", "enabled", "", 0, 1, 0, 0};
    struct layer_rec ol = {"l-1", "video", "o-1", "acme", "", "", "disabled", 1, 1};
    struct layer_rec ul = {"l-2", "video", "", "", "u-1", "u@x", "enabled", 1, 0};
    char *s = text_of(feature_json_resource(&f, 1));

    cr_expect(eq(str, s,
                 "{\"type\":\"features\",\"id\":\"video\",\"attributes\":{\"assignable\":true,"
                 "\"created-time\":\"t1\",\"description\":\"Video visits\",\"global-enabled\":"
                 "false,\"last-modified-time\":\"t2\",\"stage\":\"beta\",\"enabled\":true}}"));
    free(s);
    s = text_of(feature_json_layer(&ol, 0));
    cr_expect(eq(str, s,
                 "{\"type\":\"organization-features\",\"id\":\"l-1\",\"attributes\":{"
                 "\"feature-assignable\":true,\"feature-id\":\"video\",\"feature-name\":\"video\","
                 "\"organization-id\":\"o-1\",\"organization-name\":\"acme\",\"state\":"
                 "\"disabled\",\"force\":true}}"));
    free(s);
    s = text_of(feature_json_layer(&ul, 1));
    cr_expect(eq(str, s,
                 "{\"type\":\"user-features\",\"id\":\"l-2\",\"attributes\":{\"feature-id\":"
                 "\"video\",\"feature-name\":\"video\",\"organization-id\":null,\"state\":"
                 "\"enabled\",\"force\":false,\"user-email\":\"u@x\",\"user-id\":\"u-1\"}}"));
    free(s);
}
