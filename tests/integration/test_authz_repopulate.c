/* test_authz_repopulate.c: suite "authz_repopulate": authz's projection of
 * identity can be rebuilt on demand (authz.rpc.Repopulate, repopulate.h).
 * After rows of every projection table are deleted, altered or invented
 * with SQL, one call makes the projection equal to identity's data again:
 * users (names, email, enabled, platform admin), memberships and the role
 * names of each membership, compared as whole sets both ways. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "it_projection.h"
#include "test_users_fixtures.h"

TestSuite(authz_repopulate, .timeout = 60);

/* Rows that differ between identity and authz's projection, per table, as
 * "users memberships roles" (each the size of the symmetric difference).
 * authz's side is limited to identity's users and this test's invented
 * "ghost": other suites write users straight into authz's tables (data sets
 * of authz's own tests, which identity never had and which carry events of
 * their own), and those are not this test's to judge. */
#define DIFF_SQL                                                                                   \
    "WITH mine AS (SELECT id FROM identity.users UNION SELECT id FROM authz.users "               \
    "              WHERE username = 'ghost'), "                                                    \
    "idu AS (SELECT id, username, email, first_name, last_name, enabled, "                    \
    "                    is_platform_admin AS platform_admin FROM identity.users), "               \
    "azu AS (SELECT id, username, email, first_name, last_name, enabled, platform_admin "          \
    "        FROM authz.users WHERE id IN (SELECT id FROM mine)), "                                \
    "idm AS (SELECT user_id, organization_id FROM identity.user_organizations), "                  \
    "azm AS (SELECT user_id, organization_id FROM authz.memberships "                              \
    "        WHERE user_id IN (SELECT id FROM mine)), "                                            \
    "idr AS (SELECT ru.user_id, r.organization_id, r.name AS role_name "                           \
    "        FROM identity.role_users ru JOIN identity.roles r ON r.id = ru.role_id "              \
    "        JOIN identity.user_organizations m ON m.user_id = ru.user_id "                        \
    "             AND m.organization_id = r.organization_id), "                                    \
    "azr AS (SELECT user_id, organization_id, role_name FROM authz.user_roles "                    \
    "        WHERE user_id IN (SELECT id FROM mine)) "                                             \
    "SELECT ((SELECT count(*) FROM ((SELECT * FROM idu EXCEPT SELECT * FROM azu) UNION ALL "       \
    "                               (SELECT * FROM azu EXCEPT SELECT * FROM idu)) d) || ' ' || "   \
    "        (SELECT count(*) FROM ((SELECT * FROM idm EXCEPT SELECT * FROM azm) UNION ALL "       \
    "                               (SELECT * FROM azm EXCEPT SELECT * FROM idm)) d) || ' ' || "   \
    "        (SELECT count(*) FROM ((SELECT * FROM idr EXCEPT SELECT * FROM azr) UNION ALL "       \
    "                               (SELECT * FROM azr EXCEPT SELECT * FROM idr)) d))"

Test(authz_repopulate, repopulate_makes_the_projection_equal_to_identity)
{
    char admin[4097], org[UT_ID_LEN];
    struct ut_user a, b, c;
    Authz__RepopulateReply *reply = NULL;
    char *v;

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin); /* the suite may run first */
    ut_org(org);
    ut_account(org, "admin", &a);
    ut_account(org, "patient", &b);
    ut_account(org, "provider", &c);
    {
        const char *pc[3] = {c.id, org, "provider"};
        ap_wait_sql("the last account's role", AP_ROLE_SQL, 3, pc, "1", AP_WAIT_MS);
    }

    /* break every table: users altered, deleted and invented; memberships
     * and roles deleted and invented */
    free(ap_sql("WITH x AS (UPDATE authz.users SET email = 'corrupt@example.org', "
                "enabled = NOT enabled, platform_admin = NOT platform_admin "
                "WHERE id IN (SELECT id FROM authz.users ORDER BY id LIMIT 5) RETURNING 1) "
                "SELECT count(*) FROM x",
                0, NULL));
    free(ap_sql("WITH r AS (DELETE FROM authz.user_roles WHERE user_id = $1::uuid), "
                "m AS (DELETE FROM authz.memberships WHERE user_id = $1::uuid) "
                "DELETE FROM authz.users WHERE id = $1::uuid RETURNING id",
                1, (const char *const[]){a.id}));
    free(ap_sql("DELETE FROM authz.memberships WHERE user_id = $1::uuid RETURNING user_id", 1,
                (const char *const[]){b.id}));
    free(ap_sql("DELETE FROM authz.user_roles WHERE user_id = $1::uuid RETURNING user_id", 1,
                (const char *const[]){c.id}));
    free(ap_sql("INSERT INTO authz.user_roles VALUES ($1::uuid, $2::uuid, 'admin') "
                "RETURNING user_id",
                2, (const char *const[]){b.id, org}));
    free(ap_sql("WITH g AS (SELECT gen_random_uuid() AS id), "
                "m AS (INSERT INTO authz.memberships SELECT id, $1::uuid FROM g) "
                "INSERT INTO authz.users (id, username) SELECT id, 'ghost' FROM g RETURNING id",
                1, (const char *const[]){org}));
    v = ap_sql(DIFF_SQL, 0, NULL);
    cr_assert(ne(str, v, "0 0 0"), "the projection is broken: %s", v);
    free(v);

    cr_assert(eq(int, ap_repopulate(&reply), 0), "authz.rpc.Repopulate");
    authz__repopulate_reply__free_unpacked(reply, NULL);

    v = ap_sql(DIFF_SQL, 0, NULL);
    cr_assert(eq(str, v, "0 0 0"), "users, memberships and roles differing from identity: %s", v);
    free(v);
}
