/* test_identity_users.c: the pure pieces of identity's users resource:
 * sort-by and filter[cmp-last-modified-time] parsing, the value checks
 * (E.164, email, locale, username) and the UserAttrs rendering. */
// links: services/identity/handlers_users_input.c services/identity/user_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../services/identity/handlers_users.h"
#include "../../services/identity/user_json.h"

/* Identity, for cr_assert on macros that expand to a parenthesised
 * expression (json_is_null), which cr_assert cannot take first. */
static inline int it_is(int x)
{
    return x;
}

/* ---- sort-by ---- */

Test(users_input, parses_every_sort_value)
{
    static const struct {
        const char *s;
        enum user_sort want;
    } cases[] = {
        {"last-name", USER_SORT_LAST_NAME},   {"-last-name", USER_SORT_LAST_NAME_DESC},
        {"first-name", USER_SORT_FIRST_NAME}, {"-first-name", USER_SORT_FIRST_NAME_DESC},
        {"email", USER_SORT_EMAIL},           {"-email", USER_SORT_EMAIL_DESC},
        {"id", USER_SORT_ID},                 {"-id", USER_SORT_ID_DESC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum user_sort got = USER_SORT__COUNT;
        cr_assert(eq(int, users_sort_parse(cases[i].s, &got), CM_OK), "%s", cases[i].s);
        cr_assert(eq(int, got, cases[i].want), "%s", cases[i].s);
    }
}

Test(users_input, refuses_other_sort_values)
{
    static const char *const bad[] = {"", "username", "--id", "Email", "id ", "+id", "last_name"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum user_sort got;
        cr_assert(eq(int, users_sort_parse(bad[i], &got), CM_EINVAL), "'%s'", bad[i]);
    }
}

/* ---- value checks ---- */

Test(users_input, checks_e164_numbers)
{
    cr_assert(users_e164_valid("+14155550123"));
    cr_assert(users_e164_valid("+4930123456"));
    cr_assert(users_e164_valid("+123456789012345")); /* 15 digits */
    cr_assert(not(users_e164_valid("+1234567890123456"))); /* 16 */
    cr_assert(not(users_e164_valid("14155550123")));
    cr_assert(not(users_e164_valid("+04155550123")));
    cr_assert(not(users_e164_valid("+1 415 555 0123")));
    cr_assert(not(users_e164_valid("+123456")));
    cr_assert(not(users_e164_valid("")));
    cr_assert(not(users_e164_valid(NULL)));
}

Test(users_input, checks_emails_locales_and_usernames)
{
    cr_assert(users_email_valid("a@b.example"));
    cr_assert(users_email_valid("admin@localhost"));
    cr_assert(not(users_email_valid("no-at-sign")));
    cr_assert(not(users_email_valid("@b.example")));
    cr_assert(not(users_email_valid("a@")));
    cr_assert(not(users_email_valid("a@b@c")));
    cr_assert(not(users_email_valid("a b@c.example")));
    cr_assert(users_locale_valid("en_US"));
    cr_assert(users_locale_valid("fr"));
    cr_assert(users_locale_valid("haw_US"));
    cr_assert(not(users_locale_valid("en-US")));
    cr_assert(not(users_locale_valid("EN_us")));
    cr_assert(not(users_locale_valid("en_USA")));
    cr_assert(not(users_locale_valid("e")));
    cr_assert(users_username_valid("jane.doe@example.com"));
    cr_assert(not(users_username_valid("jane doe")));
    cr_assert(not(users_username_valid("")));
    cr_assert(not(users_username_valid("tab\there")));
}

/* ---- rendering ---- */

static struct user_rec sample(void)
{
    struct user_rec u = {
        .id = "11111111-1111-1111-1111-111111111111",
        .username = "jane",
        .email = "jane@example.com",
        .first_name = "Jane",
        .last_name = "Doe",
        .birth_date = "",
        .phone = "",
        .phone_type = "",
        .locale = "en_US",
        .tz = "",
        .classification = "customer",
        .comm_prefs = "{\"sms\": {\"on\": true}}",
        .default_org_id = "22222222-2222-2222-2222-222222222222",
        .registration_completed_time = "",
        .last_login_time = "",
        .created_at = "2024-05-01T12:00:00.000000Z",
        .last_modified_time = "2024-05-02T12:00:00.000000Z",
        .organizations = "[{\"id\": \"33333333-3333-3333-3333-333333333333\", \"name\": \"a\", "
                         "\"display-name\": \"A\", \"logo-url\": \"https://a/logo\"}, "
                         "{\"id\": \"22222222-2222-2222-2222-222222222222\", \"name\": \"b\", "
                         "\"display-name\": \"B\", \"logo-url\": \"\"}]",
        .roles = "[{\"display-name\": \"Admin\", \"id\": \"44444444-4444-4444-4444-444444444444\", "
                 "\"name\": \"admin\", \"organization-display-name\": \"B\", "
                 "\"organization-id\": \"22222222-2222-2222-2222-222222222222\", "
                 "\"organization-name\": \"b\"}]",
        .locked_until = "",
        .registered = 1,
        .enabled = 1,
    };
    return u;
}

static const char *str_of(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

Test(user_json, renders_the_list_attributes)
{
    struct user_rec u = sample();
    json_t *a = user_json_attrs(&u, "", 0), *prefs;

    cr_assert(a != NULL);
    cr_assert(eq(str, (char *)str_of(a, "state"), "registered"));
    cr_assert(eq(str, (char *)str_of(a, "status"), "active"));
    cr_assert(eq(str, (char *)str_of(a, "organization-id"), "22222222-2222-2222-2222-222222222222"));
    cr_assert(it_is(json_is_null(json_object_get(a, "organization-logo-url"))));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(a, "organization-count")), 2));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "organization-ids")), 2));
    cr_assert(it_is(json_is_true(json_object_get(a, "organization-admin"))));
    cr_assert(it_is(json_is_null(json_object_get(a, "birth-date"))));
    cr_assert(it_is(json_is_null(json_object_get(a, "tz"))));
    cr_assert(eq(str, (char *)str_of(a, "phone-type"), ""));
    cr_assert(json_object_get(a, "locked-until") == NULL, "locks are for admins");
    cr_assert(json_object_get(a, "organizations") == NULL, "organizations are for the read");
    prefs = json_object_get(a, "communication-preferences");
    cr_assert(eq(sz, json_object_size(prefs), 5));
    cr_assert(it_is(json_is_true(json_object_get(json_object_get(prefs, "sms"), "on"))));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "roles")), 1));
    json_decref(a);
}

Test(user_json, renders_the_current_organization_locks_and_detail)
{
    struct user_rec u = sample();
    json_t *a;

    u.locked_until = "2030-01-01T00:00:00.000000Z";
    u.registered = 0;
    a = user_json_attrs(&u, "33333333-3333-3333-3333-333333333333",
                        USER_JSON_DETAIL | USER_JSON_LOCKS);
    cr_assert(a != NULL);
    cr_assert(eq(str, (char *)str_of(a, "state"), "init"));
    cr_assert(eq(str, (char *)str_of(a, "status"), "locked"));
    cr_assert(eq(str, (char *)str_of(a, "locked-until"), "2030-01-01T00:00:00.000000Z"));
    cr_assert(eq(str, (char *)str_of(a, "organization-id"), "33333333-3333-3333-3333-333333333333"));
    cr_assert(eq(str, (char *)str_of(a, "organization-logo-url"), "https://a/logo"));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "organizations")), 2));
    cr_assert(eq(sz, json_object_size(json_array_get(json_object_get(a, "organizations"), 0)), 3));
    cr_assert(it_is(json_is_object(json_object_get(a, "enrollment-data"))));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "onboarding-requests")), 0));
    json_decref(a);
    u.enabled = 0;
    cr_assert(eq(str, (char *)user_json_state(&u), "disabled"));
}

Test(user_json, refuses_malformed_json_columns)
{
    struct user_rec u = sample();
    u.roles = "{not json";
    cr_assert(user_json_attrs(&u, "", 0) == NULL);
}
