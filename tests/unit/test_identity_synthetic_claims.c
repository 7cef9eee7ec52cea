/* test_identity_synthetic_claims.c: additional-claims of synthetic user
 * tokens (synthetic_claims.h): what is taken, what is refused and where the
 * error points. */
// links: services/identity/synthetic_claims.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/identity/synthetic_claims.h"

/* Reads text (a JSON array) as additional-claims; the result code, the
 * pointer into pointer (160 bytes), and the claims into *out on CM_OK. */
static cm_err read_text(const char *text, char *pointer, json_t **out)
{
    json_t *arr = json_loads(text, JSON_DECODE_ANY, NULL);
    char detail[200];
    cm_err err;

    cr_assert(arr != NULL, "%s", text);
    pointer[0] = '\0';
    err = synthetic_claims_read(arr, "/data/additional-claims", out, pointer, 160, detail,
                                sizeof detail);
    json_decref(arr);
    return err;
}

Test(synthetic_claims, takes_names_and_string_values)
{
    char ptr[160];
    json_t *out = NULL;
    char *s;

    cr_assert(eq(int,
                 read_text("[{\"claim\":\"purpose\",\"value\":\"test\"},"
                           "{\"claim\":\"x-team.a:b\",\"value\":\"\"}]",
                           ptr, &out),
                 CM_OK));
    s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    cr_expect(eq(str, s, "{\"purpose\":\"test\",\"x-team.a:b\":\"\"}"));
    free(s);
    json_decref(out);
    cr_assert(eq(int, synthetic_claims_read(NULL, "", &out, ptr, 160, ptr, 160), CM_OK));
    cr_expect(eq(sz, json_object_size(out), 0));
    json_decref(out);
}

Test(synthetic_claims, refuses_reserved_names_in_any_case)
{
    static const char *const names[] = {
        "sub",   "Sub",     "roles", "org", "imp", "iat",       "exp",
        "gen",   "sid",     "typ",   "aud", "iss", "synthetic", "organization-id",
        "email", "username"};
    char text[128], ptr[160];
    json_t *out = NULL;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        cr_expect(eq(int, synthetic_claim_reserved(names[i]), 1), "%s", names[i]);
        snprintf(text, sizeof text, "[{\"claim\":\"%s\",\"value\":\"x\"}]", names[i]);
        cr_expect(eq(int, read_text(text, ptr, &out), CM_EINVAL), "%s", names[i]);
        cr_expect(eq(str, ptr, "/data/additional-claims/0/claim"));
    }
    cr_expect(eq(int, synthetic_claim_reserved("purpose"), 0));
}

Test(synthetic_claims, refuses_bad_shapes_with_their_pointer)
{
    char ptr[160];
    json_t *out = NULL;

    cr_expect(eq(int, read_text("{}", ptr, &out), CM_EINVAL));
    cr_expect(eq(str, ptr, "/data/additional-claims"));
    cr_expect(eq(int, read_text("[1]", ptr, &out), CM_EINVAL));
    cr_expect(eq(str, ptr, "/data/additional-claims/0"));
    cr_expect(
        eq(int, read_text("[{\"claim\":\"a\",\"value\":\"1\",\"x\":1}]", ptr, &out), CM_EINVAL));
    cr_expect(eq(str, ptr, "/data/additional-claims/0"));
    cr_expect(eq(int, read_text("[{\"claim\":\"1a\",\"value\":\"1\"}]", ptr, &out), CM_EINVAL));
    cr_expect(eq(str, ptr, "/data/additional-claims/0/claim"));
    cr_expect(eq(int, read_text("[{\"claim\":\"a\",\"value\":true}]", ptr, &out), CM_EINVAL));
    cr_expect(eq(str, ptr, "/data/additional-claims/0/value"));
    cr_expect(eq(int,
                 read_text("[{\"claim\":\"a\",\"value\":\"1\"},{\"claim\":\"a\",\"value\":\"2\"}]",
                           ptr, &out),
                 CM_EINVAL));
    cr_expect(eq(str, ptr, "/data/additional-claims/1/claim"));
    cr_expect(eq(int, read_text("[{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}]", ptr, &out),
                 CM_EINVAL));
    cr_expect(eq(str, ptr, "/data/additional-claims"));
}
