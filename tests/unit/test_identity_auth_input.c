/* test_identity_auth_input.c: the pure parts of identity's login and
 * activity handling: the failed-login throttle's verdicts
 * (login_throttle.c) and the user-activities filters
 * (handlers_auth_input.c). */
// links: services/identity/login_throttle.c services/identity/store_auth.c services/identity/handlers_auth_input.c services/identity/handlers_users_input.c services/identity/password_hash.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../services/identity/handlers.h"
#include "../../services/identity/login_throttle.h"

TestSuite(identity_auth_input, .timeout = 10);

static struct cm_config config(void)
{
    struct cm_config c = {0};
    c.login_throttle_after = 5;
    c.login_lock_after = 10;
    c.login_lock_s = 900;
    return c;
}

Test(identity_auth_input, delay_doubles_from_one_second_and_stops_at_60)
{
    cr_assert(eq(int, login_throttle_delay_s(5, 0), 0));
    cr_assert(eq(int, login_throttle_delay_s(5, 4), 0));
    cr_assert(eq(int, login_throttle_delay_s(5, 5), 1));
    cr_assert(eq(int, login_throttle_delay_s(5, 6), 2));
    cr_assert(eq(int, login_throttle_delay_s(5, 9), 16));
    cr_assert(eq(int, login_throttle_delay_s(5, 10), 32));
    cr_assert(eq(int, login_throttle_delay_s(5, 11), 60));
    cr_assert(eq(int, login_throttle_delay_s(5, 500), 60));
}

Test(identity_auth_input, verdicts)
{
    struct cm_config c = config();
    struct attempts a = {0};
    int retry = -1;

    cr_assert(eq(int, login_throttle_decide(&c, &a, &retry), CM_OK), "no record");
    cr_assert(eq(int, retry, 0));
    a.failures = 4;
    a.since_last_s = 0.1;
    cr_assert(eq(int, login_throttle_decide(&c, &a, &retry), CM_OK), "below the threshold");
    a.failures = 5;
    cr_assert(eq(int, login_throttle_decide(&c, &a, &retry), CM_ELIMIT), "within 1 s");
    cr_assert(eq(int, retry, 1));
    a.since_last_s = 1.5;
    cr_assert(eq(int, login_throttle_decide(&c, &a, &retry), CM_OK), "after 1 s");
    a.failures = 7;
    cr_assert(eq(int, login_throttle_decide(&c, &a, &retry), CM_ELIMIT), "4 s after 7");
    cr_assert(eq(int, retry, 3));
    a.failures = 10;
    a.locked_for_s = 899.2;
    cr_assert(eq(int, login_throttle_decide(&c, &a, &retry), CM_ELOCKED));
    cr_assert(eq(int, retry, 900));
    a.locked_for_s = 0;
    a.since_last_s = 901;
    cr_assert(eq(int, login_throttle_decide(&c, &a, &retry), CM_OK), "forgotten");
}

Test(identity_auth_input, event_types)
{
    unsigned mask = 0;
    char lit[64];

    cr_assert(eq(int, auth_event_types_parse("login", &mask), CM_OK));
    cr_assert(eq(int, auth_event_types_parse("refr,sreg", &mask), CM_OK));
    cr_assert(eq(u32, mask, (unsigned)(AUTH_EVT_LOGIN | AUTH_EVT_REFR | AUTH_EVT_SREG)));
    auth_event_types_literal(mask, lit, sizeof lit);
    cr_assert(eq(str, lit, "{login,refr,sreg}"));
    auth_event_types_literal(AUTH_EVT_REFR, lit, sizeof lit);
    cr_assert(eq(str, lit, "{refr}"));
    auth_event_types_literal(0, lit, sizeof lit);
    cr_assert(eq(str, lit, ""));
    mask = 0;
    cr_assert(eq(int, auth_event_types_parse("", &mask), CM_EINVAL));
    cr_assert(eq(int, auth_event_types_parse("login,", &mask), CM_EINVAL));
    cr_assert(eq(int, auth_event_types_parse("logout", &mask), CM_EINVAL));
    cr_assert(eq(int, auth_event_types_parse("LOGIN", &mask), CM_EINVAL));
}
