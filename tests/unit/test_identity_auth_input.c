/* test_identity_auth_input.c: the pure parts of identity's login and
 * activity handling: the failed-login throttle's verdicts
 * (login_throttle.c) and the user-activities filters
 * (handlers_auth_input.c). */
// links: services/identity/login_throttle.c services/identity/store_auth.c services/identity/store_login.c services/identity/client_addr.c services/identity/handlers_auth_input.c services/identity/handlers_users_input.c services/identity/password_hash.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../services/identity/handlers.h"
#include "../../services/identity/client_addr.h"
#include "../../services/identity/login_throttle.h"

TestSuite(identity_auth_input, .timeout = 10);

static struct cm_config config(void)
{
    struct cm_config c = {0};
    c.login_throttle_after = 5;
    c.login_lock_after = 10;
    c.login_lock_s = 900;
    c.login_addr_lock_after = 100;
    c.login_user_throttle_after = 20;
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

    cr_assert(eq(int, login_throttle_decide_one(c.login_throttle_after, c.login_lock_s, 1, &a, &retry), CM_OK), "no record");
    cr_assert(eq(int, retry, 0));
    a.failures = 4;
    a.since_last_s = 0.1;
    cr_assert(eq(int, login_throttle_decide_one(c.login_throttle_after, c.login_lock_s, 1, &a, &retry), CM_OK), "below the threshold");
    a.failures = 5;
    cr_assert(eq(int, login_throttle_decide_one(c.login_throttle_after, c.login_lock_s, 1, &a, &retry), CM_ELIMIT), "within 1 s");
    cr_assert(eq(int, retry, 1));
    a.since_last_s = 1.5;
    cr_assert(eq(int, login_throttle_decide_one(c.login_throttle_after, c.login_lock_s, 1, &a, &retry), CM_OK), "after 1 s");
    a.failures = 7;
    cr_assert(eq(int, login_throttle_decide_one(c.login_throttle_after, c.login_lock_s, 1, &a, &retry), CM_ELIMIT), "4 s after 7");
    cr_assert(eq(int, retry, 3));
    a.failures = 10;
    a.locked_for_s = 899.2;
    cr_assert(eq(int, login_throttle_decide_one(c.login_throttle_after, c.login_lock_s, 1, &a, &retry), CM_ELOCKED));
    cr_assert(eq(int, retry, 900));
    a.locked_for_s = 0;
    a.since_last_s = 901;
    cr_assert(eq(int, login_throttle_decide_one(c.login_throttle_after, c.login_lock_s, 1, &a, &retry), CM_OK), "forgotten");
}

/* A username's own record never locks, and slows only addresses it has
 * not logged in from; a locked address or pair is refused. */
Test(identity_auth_input, verdicts_by_username_and_address)
{
    struct cm_config c = config();
    struct login_record r = {0};
    enum login_refusal why;
    int retry = -1;

    cr_assert(eq(int, login_throttle_decide(&c, &r, &retry, &why), CM_OK));
    cr_assert(eq(int, why, LOGIN_REFUSAL_NONE));
    r.user.failures = 500; /* a stranger failed often, elsewhere */
    r.user.since_last_s = 0.5;
    r.user.locked_for_s = 800;
    r.known_addr = 1;
    cr_assert(eq(int, login_throttle_decide(&c, &r, &retry, &why), CM_OK), "known address");
    r.known_addr = 0;
    cr_assert(eq(int, login_throttle_decide(&c, &r, &retry, &why), CM_ELIMIT), "only slowed");
    cr_assert(eq(int, why, LOGIN_REFUSAL_THROTTLED));
    cr_assert(eq(int, retry, 60));
    r.user.since_last_s = 61;
    cr_assert(eq(int, login_throttle_decide(&c, &r, &retry, &why), CM_OK), "never locked");
    r.pair.failures = 10;
    r.pair.locked_for_s = 10.5;
    cr_assert(eq(int, login_throttle_decide(&c, &r, &retry, &why), CM_ELOCKED));
    cr_assert(eq(int, why, LOGIN_REFUSAL_PAIR_LOCKED));
    cr_assert(eq(int, retry, 11));
    r.ip.failures = 100;
    r.ip.locked_for_s = 30.2;
    cr_assert(eq(int, login_throttle_decide(&c, &r, &retry, &why), CM_ELIMIT));
    cr_assert(eq(int, why, LOGIN_REFUSAL_ADDR_LOCKED));
    cr_assert(eq(int, retry, 31));
}

Test(identity_auth_input, client_address_trusts_forwarded_for_only_from_trusted_proxies)
{
    char a[CLIENT_ADDR_MAX];

    client_addr_pick("10.0.0.5", NULL, NULL, a);
    cr_assert(eq(str, a, "10.0.0.5"));
    client_addr_pick("", NULL, NULL, a);
    cr_assert(eq(str, a, "unknown"));
    client_addr_pick("10.0.0.5", "1.2.3.4", "", a);
    cr_assert(eq(str, a, "10.0.0.5"), "no trusted proxy: the header is ignored");
    client_addr_pick("10.0.0.5", "1.2.3.4", "10.0.0.6", a);
    cr_assert(eq(str, a, "10.0.0.5"), "not from a trusted proxy");
    client_addr_pick("10.0.0.5", "1.2.3.4, 9.9.9.9", "10.0.0.5", a);
    cr_assert(eq(str, a, "9.9.9.9"), "the nearest hop the proxy saw, not what the client wrote");
    client_addr_pick("10.0.0.5", "1.2.3.4, 10.0.0.7", "10.0.0.5, 10.0.0.7", a);
    cr_assert(eq(str, a, "1.2.3.4"), "trusted hops are skipped");
    client_addr_pick("10.0.0.5", "1.2.3.4, bogus", "10.0.0.5", a);
    cr_assert(eq(str, a, "10.0.0.5"), "garbage: the proxy's own address");
    client_addr_pick("10.0.0.5", " 2001:db8::1 ", "10.0.0.5", a);
    cr_assert(eq(str, a, "2001:db8::1"));
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
