/* test_zz_authz_catchup.c: suite "zz_authz_catchup": authz's projection of
 * identity (services/authz/projection.h) across outages.
 *   - NATS restarts: the consumer binds again and changes keep arriving.
 *   - authz is stopped while identity changes a user's memberships, roles
 *     and state; started again with a slow projection
 *     (PROJECTION_APPLY_DELAY_MS, so that the backlog lasts long enough to
 *     be seen), it answers up-to-date false while events wait, then applies
 *     every change (none lost) and answers true.
 * These disturb the stack; each .fini puts back what its test changed and
 * leaves the stack whole (it_stack_restore), whatever happened, so the
 * suite may run in any order (zz_ only groups the disturbing suites). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "it_projection.h"
#include "test_users_fixtures.h"

#define SLOW_APPLY_MS "500" /* per event; the backlog below is 8+ events */

static void restore_authz(void)
{
    if (!it_have_stack())
        return;
    unsetenv("PROJECTION_APPLY_DELAY_MS");
    it_stack(NULL, 0, "stop", "authz", NULL);
    it_stack(NULL, 0, "start", "authz", NULL);
    it_stack_restore(30000);
}

static void restore_nats(void)
{
    if (!it_have_stack())
        return;
    it_stack(NULL, 0, "start-nats", NULL);
    it_stack_restore(30000);
}

TestSuite(zz_authz_catchup, .timeout = 120);

Test(zz_authz_catchup, consumes_again_after_a_nats_restart, .fini = restore_nats)
{
    char admin[4097], org[UT_ID_LEN], provider[37];
    struct ut_user u;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ut_org(org);
    ut_account(org, "patient", &u);
    ap_role_id(admin, org, "provider", provider);
    const char *patient[3] = {u.id, org, "patient"}, *prov[3] = {u.id, org, "provider"};
    ap_wait_sql("u's role", AP_ROLE_SQL, 3, patient, "1", AP_WAIT_MS);

    cr_assert(eq(int, it_stack(NULL, 0, "restart-nats", NULL), 0), "restart nats");
    cr_assert(it_wait_all_ready(15000), "the suite is ready again");
    ap_give_role(admin, u.id, provider);
    ap_wait_sql("a change after the restart", AP_ROLE_SQL, 3, prov, "1", 15000);
    cr_assert(ap_wait_up_to_date(admin, u.id, 1, 10000), "up-to-date after the restart");
}

Test(zz_authz_catchup, no_change_is_lost_while_authz_is_down, .fini = restore_authz)
{
    char admin[4097], home[UT_ID_LEN], away[UT_ID_LEN], home_provider[37], away_provider[37];
    char path[128];
    struct ut_user u;
    struct it_resp r;
    json_t *attrs = NULL;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ut_org(home);
    ut_org(away);
    ut_account(home, "patient", &u);
    ap_role_id(admin, home, "provider", home_provider);
    ap_role_id(admin, away, "provider", away_provider);
    const char *id[1] = {u.id};
    const char *home_patient[3] = {u.id, home, "patient"};
    ap_wait_sql("u's role", AP_ROLE_SQL, 3, home_patient, "1", AP_WAIT_MS);

    cr_assert(eq(int, it_stack(NULL, 0, "stop", "authz", NULL), 0), "stop authz");
    /* while authz is down: a new membership with a role, a role at home,
     * then leaving home altogether, and being disabled */
    ap_org_member(admin, away, "add-user", u.id, away_provider);
    ap_give_role(admin, u.id, home_provider);
    ap_org_member(admin, home, "remove-user", u.id, NULL);
    snprintf(path, sizeof path, "/v1/users/%s/disable/", u.id);
    it_call_token(&r, "POST", path, admin, "{}");
    cr_assert(eq(long, r.status, 201), "disable: %.300s", r.body);
    it_resp_release(&r);

    setenv("PROJECTION_APPLY_DELAY_MS", SLOW_APPLY_MS, 1);
    cr_assert(eq(int, it_stack(NULL, 0, "start", "authz", NULL), 0), "start authz");
    /* behind: events wait in the consumer */
    cr_assert(eq(long, ap_status(admin, u.id, &attrs), 200));
    cr_assert(it_true(json_is_false(json_object_get(attrs, "up-to-date"))),
              "up-to-date while authz has events to apply");
    json_decref(attrs);

    cr_assert(ap_wait_up_to_date(admin, u.id, 1, 30000), "authz never caught up");
    {
        const char *away_member[2] = {u.id, away}, *home_member[2] = {u.id, home};
        const char *away_role[3] = {u.id, away, "provider"};
        char *v;

        v = ap_sql(AP_MEMBERSHIP_SQL, 2, away_member);
        cr_assert(eq(str, v, "1"), "the new membership");
        free(v);
        v = ap_sql(AP_ROLE_SQL, 3, away_role);
        cr_assert(eq(str, v, "1"), "the new membership's role");
        free(v);
        v = ap_sql(AP_MEMBERSHIP_SQL, 2, home_member);
        cr_assert(eq(str, v, "0"), "the membership left");
        free(v);
        v = ap_sql("SELECT count(*) FROM authz.user_roles WHERE user_id = $1::uuid "
                   "AND organization_id = $2::uuid",
                   2, home_member);
        cr_assert(eq(str, v, "0"), "the roles of the membership left");
        free(v);
        v = ap_sql(AP_USER_SQL, 1, id);
        cr_assert(eq(str, v, "false"), "disabled");
        free(v);
    }
}
