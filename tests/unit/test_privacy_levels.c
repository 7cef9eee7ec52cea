/* test_privacy_levels.c: privacy's pure parts: level lists read from the
 * privacy API's bodies (any Content-Type) and written back, and the path
 * parameters groupID and externalID with the seed's messages. */
// links: services/privacy/levels.c services/privacy/configure_input.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "../../services/privacy/configure_input.h"
#include "../../services/privacy/levels.h"

static cm_err read_levels(const char *body, int *mask, char *err)
{
    return levels_read_body(body, body ? strlen(body) : 0, "requestedPrivacyLevel", mask, err,
                            160);
}

Test(privacy_levels, lists_become_masks_and_back)
{
    char err[160];
    int mask = -1;
    char *text;

    cr_assert(eq(int, read_levels("{\"requestedPrivacyLevel\": []}", &mask, err), CM_OK));
    cr_assert(eq(int, mask, 0));
    cr_assert(eq(int, read_levels("{\"requestedPrivacyLevel\": [\"transcript\",\"mhci\",\"mhci\"]}",
                                  &mask, err),
                 CM_OK));
    cr_assert(eq(int, mask, LEVEL_MHCI | LEVEL_TRANSCRIPT));
    text = json_dumps(levels_json(mask), JSON_COMPACT);
    cr_assert(eq(str, text, "[\"mhci\",\"transcript\"]"));
    free(text);
    text = json_dumps(levels_json(0), JSON_COMPACT);
    cr_assert(eq(str, text, "[]"));
    free(text);
}

Test(privacy_levels, bad_bodies_say_what_is_wrong)
{
    static const struct {
        const char *body, *msg;
    } cases[] = {
        {NULL, "You are missing the body parameter requestedPrivacyLevel"},
        {"{}", "You are missing the body parameter requestedPrivacyLevel"},
        {"not json", "The body must be a JSON object"},
        {"[\"mhci\"]", "The body must be a JSON object"},
        {"{\"requestedPrivacyLevel\": \"mhci\"}", "requestedPrivacyLevel must be a list"},
        {"{\"requestedPrivacyLevel\": [\"MHCI\"]}",
         "requestedPrivacyLevel[0] must be one of \"mhci\", \"transcript\""},
        {"{\"requestedPrivacyLevel\": [\"mhci\", 2]}",
         "requestedPrivacyLevel[1] must be one of \"mhci\", \"transcript\""},
        {"{\"requestedPrivacyLevel\": [], \"other\": 1}",
         "Unknown body parameter (only requestedPrivacyLevel is accepted)"},
    };
    char err[160];
    int mask = 7;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_assert(eq(int, read_levels(cases[i].body, &mask, err), CM_EINVAL), "case %zu", i);
        cr_assert(eq(str, err, (char *)cases[i].msg), "case %zu", i);
    }
    cr_assert(eq(int, mask, 7)); /* untouched on error */
}

Test(privacy_levels, group_ids_are_positive_numbers)
{
    char err[128];
    long long n = 0;

    cr_assert(eq(int, configure_group_number("1710748366424", &n, err, sizeof err), CM_OK));
    cr_assert(eq(i64, n, 1710748366424LL));
    cr_assert(eq(int, configure_group_number(NULL, &n, err, sizeof err), CM_EINVAL));
    cr_assert(eq(str, err, "You are missing the path parameter groupID"));
    cr_assert(eq(int, configure_group_number(" ", &n, err, sizeof err), CM_EINVAL));
    cr_assert(eq(str, err, "You are missing the path parameter groupID"));
    cr_assert(eq(int, configure_group_number("undefined", &n, err, sizeof err), CM_EINVAL));
    cr_assert(eq(str, err, "You are missing the path parameter groupID"));
    static const char *const bad[] = {"abc", "12a", "-1", "0", "1.5", "1234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert(eq(int, configure_group_number(bad[i], &n, err, sizeof err), CM_EINVAL));
        cr_assert(eq(str, err, "groupID must be a number"), "%s", bad[i]);
    }
}

Test(privacy_levels, external_ids)
{
    char err[128], longer[300];

    cr_assert(eq(int, configure_external_id("ok_participant1", err, sizeof err), CM_OK));
    cr_assert(eq(int, configure_external_id("null", err, sizeof err), CM_EINVAL));
    cr_assert(eq(str, err, "You are missing the path parameter externalID"));
    memset(longer, 'x', 256);
    longer[256] = '\0';
    cr_assert(eq(int, configure_external_id(longer, err, sizeof err), CM_EINVAL));
    cr_assert(eq(int, configure_external_id("a\tb", err, sizeof err), CM_EINVAL));
}
