/* test_zz_login_address.c: an address failing LOGIN_ADDR_LOCK_AFTER times,
 * on any usernames, is refused for every username (429 with Retry-After),
 * while the users themselves log in from elsewhere. Restarts identity with
 * LOGIN_ADDR_LOCK_AFTER=6 (the test stack's is very high: every suite logs
 * in from 127.0.0.1); the .fini restarts it with the stack's setting and
 * leaves the stack whole (it_stack_restore), so the suite may run in any
 * order (zz_ only groups the disturbing suites). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "login_address.h"

TestSuite(zz_login_address, .timeout = 90);

static char saved[32];

static void low_address_limit(void)
{
    if (!it_have_stack())
        return;
    snprintf(saved, sizeof saved, "%s", it_env("LOGIN_ADDR_LOCK_AFTER"));
    setenv("LOGIN_ADDR_LOCK_AFTER", "6", 1);
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "identity", NULL), 0));
    cr_assert(it_wait_all_ready(15000), "not ready after identity's restart");
}

static void restore_identity(void)
{
    if (!it_have_stack())
        return;
    if (saved[0])
        setenv("LOGIN_ADDR_LOCK_AFTER", saved, 1);
    else
        unsetenv("LOGIN_ADDR_LOCK_AFTER");
    it_stack(NULL, 0, "restart", "identity", NULL);
    it_stack_restore(30000);
}

Test(zz_login_address, an_address_guessing_many_usernames_is_refused_for_all,
     .init = low_address_limit, .fini = restore_identity)
{
    char user[128], id[40], other[128];
    struct it_resp r;
    json_t *doc;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "addr-ip-", 1, 1, user, id);
    for (int i = 0; i < 6; i++) {
        it_unique(other, sizeof other, "addr-nobody-");
        cr_assert(eq(long, la_login("127.0.0.9", other, "Not-The-Password-1", NULL, NULL), 401));
    }
    la_login("127.0.0.9", user, AF_PASSWORD, NULL, &r);
    cr_assert(eq(long, r.status, 429), "%s", r.body);
    cr_assert(atoi(it_header_str(&r, "retry-after")) > 800, "Retry-After %s",
              it_header_str(&r, "retry-after"));
    doc = it_json(&r);
    cr_assert(strstr(af_error(doc, 429, NULL), "from this address") != NULL);
    json_decref(doc);
    it_resp_release(&r);
    cr_assert(eq(long, la_login("127.0.0.10", user, AF_PASSWORD, NULL, NULL), 201));
    PQfinish(pg);
}
