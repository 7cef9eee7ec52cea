/* test_onboarding_validate.c: onboarding's value checks (code ids, RFC 3339
 * times, dates, time zones, addresses) and its codes (confirmation codes,
 * their hashes, generated code ids). */
// links: services/onboarding/validate.c services/onboarding/codes.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <sodium.h>
#include <string.h>

#include "../../services/onboarding/codes.h"
#include "../../services/onboarding/validate.h"

/* One value and whether check accepts it; by index into the table. */
struct verdict {
    int (*check)(const char *);
    const char *value;
    int ok;
};

static const struct verdict verdicts[] = {
    {validate_code_id, "WELCOME-2024_a", 1},
    {validate_code_id, "a", 1},
    {validate_code_id, "", 0},
    {validate_code_id, "with space", 0},
    {validate_code_id, "slash/no", 0},
    {validate_code_id, "é", 0},
    {validate_code_id, "0123456789012345678901234567890123456789012345678901234567890123", 1},
    {validate_code_id, "01234567890123456789012345678901234567890123456789012345678901234", 0},
    {validate_rfc3339, "2030-01-31T23:59:59Z", 1},
    {validate_rfc3339, "2030-01-31t23:59:59.123456789z", 1},
    {validate_rfc3339, "2030-01-31T23:59:59+05:30", 1},
    {validate_rfc3339, "2030-01-31T23:59:59-08:00", 1},
    {validate_rfc3339, "2030-01-31", 0},
    {validate_rfc3339, "2030-01-31T23:59:59", 0},
    {validate_rfc3339, "2030-02-30T00:00:00Z", 0},
    {validate_rfc3339, "2030-01-31T24:00:00Z", 0},
    {validate_rfc3339, "2030-01-31T23:59:59.Z", 0},
    {validate_rfc3339, "2030-01-31T23:59:59Zjunk", 0},
    {validate_rfc3339, "30-01-31T23:59:59Z", 0},
    {validate_date, "2024-02-29", 1},
    {validate_date, "2023-02-29", 0},
    {validate_date, "1900-02-29", 0},
    {validate_date, "2000-02-29", 1},
    {validate_date, "2024-13-01", 0},
    {validate_date, "2024-1-01", 0},
    {validate_date, "0000-01-01", 0},
    {validate_tz, "UTC", 1},
    {validate_tz, "America/New_York", 1},
    {validate_tz, "Etc/GMT+5", 1},
    {validate_tz, "", 0},
    {validate_tz, "/etc/passwd", 0},
    {validate_tz, "Europe//Paris", 0},
    {validate_tz, "Europe/", 0},
    {validate_tz, "../x", 0},
    {validate_email, "ann@example.com", 1},
    {validate_email, "ann@localhost", 0},
    {validate_email, "ann", 0},
    {validate_email, "@example.com", 0},
    {validate_email, "ann@@example.com", 0},
    {validate_email, "ann smith@example.com", 0},
    {validate_email, "ann@example.com.", 0},
    {validate_e164, "+15551234567", 1},
    {validate_e164, "15551234567", 0},
    {validate_e164, "+1555", 0},
    {validate_e164, "+1555123456789012", 0},
    {validate_e164, "+1555-123-4567", 0},
};

ParameterizedTestParameters(onboarding_validate, judges_values)
{
    static size_t idx[sizeof verdicts / sizeof verdicts[0]];
    for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++)
        idx[k] = k;
    return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, onboarding_validate, judges_values)
{
    const struct verdict *v = &verdicts[*i];
    cr_assert(eq(int, !!v->check(v->value), v->ok), "case %zu: \"%s\"", *i, v->value);
}

Test(onboarding_validate, enums)
{
    static const char *const values[] = {"email", "sms", NULL};
    cr_assert(validate_enum("sms", values));
    cr_assert(eq(int, validate_enum("SMS", values), 0));
    cr_assert(eq(int, validate_enum("", values), 0));
}

Test(onboarding_codes, confirmation_codes_are_six_digits)
{
    char a[CONFIRM_CODE_LEN + 1];
    int differ = 0;
    char first[CONFIRM_CODE_LEN + 1];

    cr_assert(sodium_init() >= 0);
    codes_new_confirmation(first);
    for (int i = 0; i < 20; i++) {
        codes_new_confirmation(a);
        cr_assert(eq(sz, strlen(a), 6));
        cr_assert(eq(sz, strspn(a, "0123456789"), 6));
        differ |= strcmp(a, first) != 0;
    }
    cr_assert(differ, "20 codes all equal");
}

Test(onboarding_codes, hashes_are_keyed_by_user)
{
    uint8_t h1[CONFIRM_HASH_BYTES], h2[CONFIRM_HASH_BYTES];
    const char *u1 = "11111111-1111-4111-8111-111111111111";
    const char *u2 = "22222222-2222-4222-8222-222222222222";

    cr_assert(sodium_init() >= 0);
    codes_hash("123456", u1, h1);
    codes_hash("123456", u2, h2);
    cr_assert(memcmp(h1, h2, sizeof h1) != 0);
    cr_assert(codes_match("123456", u1, h1));
    cr_assert(eq(int, codes_match("123457", u1, h1), 0));
    cr_assert(eq(int, codes_match("123456", u2, h1), 0));
}

Test(onboarding_codes, generated_ids_are_valid_and_unambiguous)
{
    char id[CODE_ID_GENERATED_LEN + 1];

    cr_assert(sodium_init() >= 0);
    for (int i = 0; i < 50; i++) {
        codes_new_id(id);
        cr_assert(validate_code_id(id), "%s", id);
        cr_assert(eq(sz, strlen(id), CODE_ID_GENERATED_LEN));
        cr_assert(strpbrk(id, "01OIL") == NULL, "%s", id);
    }
}
