/* test_authz_index.c: the in-memory access index (services/authz/
 * access_index.h) on a small world built from changes: every rule of
 * engine.h by id and for "any", the sets of #10 and the accessors of #13,
 * and changes that move, remove and re-add. */
// links: services/authz/access_index.c services/authz/access_index_rules.c services/authz/engine.c services/authz/store_access.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "../../services/authz/access_index.h"

/* ids: 0000000N-0000-4000-8000-00000000000K by kind letter */
#define ID(k, n) "0000000" #n "-0000-4000-8000-00000000000" #k
#define ORG_A ID(1, 1)
#define ORG_B ID(1, 2)
#define U_ADMIN ID(2, 1)
#define U_LEAD_ROOT ID(2, 2)
#define U_MEMBER_CHILD ID(2, 3)
#define U_SELF ID(2, 4)
#define U_NOBODY ID(2, 5)
#define U_PADMIN ID(2, 6)
#define U_OFF ID(2, 7)
#define G_ROOT ID(3, 1)
#define G_CHILD ID(3, 2)
#define G_WRITE ID(3, 3)
#define I_1 ID(4, 1)
#define I_2 ID(4, 2)
#define I_SELF ID(4, 3)
#define I_B ID(4, 4)

static void put(struct access_index *ix, const char *tbl, int on, const char *a, const char *b,
                const char *c, int f1, int f2)
{
    struct access_change ch = {tbl, on, a, b, c, f1, f2};
    access_index_write_begin(ix);
    cr_assert(eq(int, access_index_apply(ix, &ch), CM_OK), "%s %s", tbl, a);
    access_index_write_end(ix);
}

static struct access_index *world(void)
{
    struct access_index *ix = access_index_new();
    const char *users[] = {U_ADMIN, U_LEAD_ROOT, U_MEMBER_CHILD, U_SELF, U_NOBODY};
    for (size_t k = 0; k < 5; k++) {
        put(ix, "u", 1, users[k], NULL, NULL, 1, 0);
        if (k < 4)
            put(ix, "m", 1, users[k], ORG_A, NULL, 0, 0);
    }
    put(ix, "u", 1, U_PADMIN, NULL, NULL, 1, 1);
    put(ix, "u", 1, U_OFF, NULL, NULL, 0, 0);
    put(ix, "m", 1, U_OFF, ORG_A, NULL, 0, 0);
    put(ix, "r", 1, U_ADMIN, ORG_A, NULL, 0, 0);
    put(ix, "r", 1, U_OFF, ORG_A, NULL, 0, 0);
    put(ix, "g", 1, G_CHILD, ORG_A, G_ROOT, 0, 0); /* before its parent: order is free */
    put(ix, "g", 1, G_ROOT, ORG_A, NULL, 0, 0);
    put(ix, "g", 1, G_WRITE, ORG_A, G_ROOT, 1, 0);
    put(ix, "i", 1, I_1, ORG_A, NULL, 0, 0);
    put(ix, "i", 1, I_2, ORG_A, NULL, 0, 0);
    put(ix, "i", 1, I_SELF, ORG_A, U_SELF, 0, 0);
    put(ix, "i", 1, I_B, ORG_B, NULL, 0, 0);
    put(ix, "gi", 1, G_CHILD, I_1, NULL, 0, 0);
    put(ix, "gi", 1, G_WRITE, I_2, NULL, 0, 0);
    put(ix, "gi", 1, G_CHILD, I_SELF, NULL, 0, 0);
    put(ix, "gl", 1, G_ROOT, U_LEAD_ROOT, NULL, 0, 0);
    put(ix, "gm", 1, G_CHILD, U_MEMBER_CHILD, NULL, 0, 0);
    put(ix, "gm", 1, G_WRITE, U_MEMBER_CHILD, NULL, 0, 0);
    return ix;
}

static int can(struct access_index *ix, const char *user, const char *query)
{
    struct authz_query q;
    char err[128];
    int allow = -1;
    cr_assert(eq(int, authz_query_parse(query, &q, err, sizeof err), CM_OK), "%s", query);
    cr_assert(eq(int, access_index_check(ix, user, &q, 1, &allow), CM_OK));
    return allow;
}

Test(access_index, individuals_by_every_way_and_no_other)
{
    struct access_index *ix = world();
    cr_assert(eq(int, can(ix, U_ADMIN, "individual:" I_1 ":write"), 1), "admin of the owner");
    cr_assert(eq(int, can(ix, U_ADMIN, "individual:" I_B ":read"), 0), "another owner");
    cr_assert(eq(int, can(ix, U_LEAD_ROOT, "individual:" I_1 ":write"), 1), "leader above");
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "individual:" I_1 ":read"), 1), "member");
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "individual:" I_1 ":write"), 0),
              "member without members-can-write");
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "individual:" I_2 ":write"), 1),
              "member with members-can-write");
    cr_assert(eq(int, can(ix, U_SELF, "individual:" I_SELF ":write"), 1), "own");
    cr_assert(eq(int, can(ix, U_SELF, "individual:" I_1 ":read"), 0));
    cr_assert(eq(int, can(ix, U_NOBODY, "individual:" I_1 ":read"), 0));
    cr_assert(eq(int, can(ix, U_PADMIN, "individual:" ID(4, 9) ":write"), 1), "platform admin");
    cr_assert(eq(int, can(ix, U_OFF, "individual:" I_1 ":read"), 0), "disabled admin");
    cr_assert(eq(int, can(ix, ID(2, 9), "individual:" I_1 ":read"), 0), "unknown user");
    cr_assert(eq(int, can(ix, U_NOBODY, "individual::read"), 0));
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "individual::write"), 1));
    access_index_free(ix);
}

Test(access_index, groups_organizations_and_system)
{
    struct access_index *ix = world();
    cr_assert(eq(int, can(ix, U_LEAD_ROOT, "group:" G_CHILD ":write"), 1));
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "group:" G_CHILD ":read"), 1));
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "group:" G_CHILD ":write"), 0));
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "group:" G_ROOT ":read"), 0), "not below");
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "group:" G_ROOT ":contain"), 1), "above");
    cr_assert(eq(int, can(ix, U_SELF, "group:" G_ROOT ":contain"), 1), "own individual below");
    cr_assert(eq(int, can(ix, U_SELF, "group:" G_WRITE ":contain"), 0));
    cr_assert(eq(int, can(ix, U_ADMIN, "group:" G_WRITE ":write"), 1));
    cr_assert(eq(int, can(ix, U_SELF, "organization:" ORG_A ":read"), 1));
    cr_assert(eq(int, can(ix, U_SELF, "organization:" ORG_A ":write"), 0));
    cr_assert(eq(int, can(ix, U_ADMIN, "organization:" ORG_A ":write"), 1));
    cr_assert(eq(int, can(ix, U_ADMIN, "system:x:read"), 0));
    cr_assert(eq(int, can(ix, U_PADMIN, "app.msg:x:write"), 1));
    cr_assert(eq(int, access_index_is_member(ix, U_OFF, ORG_A), 1), "disabled, still a member");
    cr_assert(eq(int, access_index_is_member(ix, U_NOBODY, ORG_A), 0));
    cr_assert(eq(int, access_index_is_member(ix, U_SELF, ORG_B), 0));
    access_index_free(ix);
}

Test(access_index, changes_move_remove_and_disable)
{
    struct access_index *ix = world();
    put(ix, "g", 1, G_CHILD, ORG_A, G_WRITE, 0, 0); /* moved under G_WRITE */
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "individual:" I_1 ":write"), 1),
              "now below a members-can-write group the user is a member of");
    put(ix, "gm", 0, G_WRITE, U_MEMBER_CHILD, NULL, 0, 0);
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "individual:" I_1 ":write"), 0));
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "individual:" I_1 ":read"), 1));
    put(ix, "gi", 0, G_CHILD, I_1, NULL, 0, 0);
    cr_assert(eq(int, can(ix, U_MEMBER_CHILD, "individual:" I_1 ":read"), 0));
    put(ix, "u", 1, U_LEAD_ROOT, NULL, NULL, 0, 0);
    cr_assert(eq(int, can(ix, U_LEAD_ROOT, "group:" G_ROOT ":read"), 0), "disabled");
    put(ix, "g", 0, G_ROOT, NULL, NULL, 0, 0);
    put(ix, "u", 1, U_LEAD_ROOT, NULL, NULL, 1, 0);
    cr_assert(eq(int, can(ix, U_LEAD_ROOT, "group:" G_ROOT ":read"), 0), "group removed");
    struct access_change bad = {"zz", 1, I_1, NULL, NULL, 0, 0};
    access_index_write_begin(ix);
    cr_assert(eq(int, access_index_apply(ix, &bad), CM_EINVAL));
    access_index_write_end(ix);
    access_index_free(ix);
}

Test(access_index, sets_and_accessors_in_id_order)
{
    struct access_index *ix = world();
    struct access_page page = {0, 0, NULL};
    enum authz_op ops[2] = {AUTHZ_READ, AUTHZ_WRITE};
    cr_assert(
        eq(int,
           access_index_entities(ix, U_MEMBER_CHILD, AUTHZ_INDIVIDUAL, ops, 1, NULL, 10, 0, &page),
           CM_OK));
    cr_assert(eq(long, page.total, 3));
    cr_assert(eq(str, page.ids[0], I_1));
    cr_assert(eq(str, page.ids[1], I_2));
    cr_assert(eq(str, page.ids[2], I_SELF));
    access_page_release(&page);
    cr_assert(eq(
        int, access_index_entities(ix, U_MEMBER_CHILD, AUTHZ_INDIVIDUAL, ops, 2, NULL, 1, 1, &page),
        CM_OK));
    cr_assert(eq(long, page.total, 1), "read and write: only I_2");
    cr_assert(eq(sz, page.n, 0), "offset 1 of 1");
    access_page_release(&page);
    cr_assert(eq(int,
                 access_index_entities(ix, U_PADMIN, AUTHZ_INDIVIDUAL, ops, 1, ORG_B, 10, 0, &page),
                 CM_OK));
    cr_assert(eq(long, page.total, 1));
    cr_assert(eq(str, page.ids[0], I_B));
    access_page_release(&page);
    const char *ids[1] = {I_1};
    cr_assert(eq(
        int, access_index_accessors(ix, AUTHZ_INDIVIDUAL, AUTHZ_WRITE, ids, 1, NULL, 10, 0, &page),
        CM_OK));
    /* admin, the root's leader, the platform admin; not the disabled admin */
    cr_assert(eq(long, page.total, 3));
    cr_assert(eq(str, page.ids[0], U_ADMIN));
    cr_assert(eq(str, page.ids[1], U_LEAD_ROOT));
    cr_assert(eq(str, page.ids[2], U_PADMIN));
    access_page_release(&page);
    struct access_index_stats st;
    access_index_stats(ix, &st);
    cr_assert(eq(sz, st.group_individuals, 3));
    cr_assert(eq(sz, st.memberships, 5));
    cr_assert(ge(sz, st.bytes, 1000));
    access_index_free(ix);
}

Test(access_index, uuids_in_any_case_are_one_id_and_print_in_lower_case)
{
    struct access_index *ix = access_index_new();
    struct access_page page = {0, 0, NULL};
    const char *ids[1] = {"0A1B2C3D-4E5F-4A6B-8C7D-9E0FABCDEF12"};
    put(ix, "u", 1, "0a1b2c3d-4e5f-4a6b-8c7d-9e0fabcdef12", NULL, NULL, 1, 1);
    cr_assert(eq(int, can(ix, "0A1B2C3D-4E5F-4A6B-8C7D-9E0FABCDEF12", "system:x:read"), 1));
    cr_assert(eq(int, can(ix, "0a1b2c3d-4e5f-4a6b-8c7d-9e0fabcdef13", "system:x:read"), 0));
    cr_assert(eq(int,
                 access_index_accessors(ix, AUTHZ_ORGANIZATION, AUTHZ_READ, ids, 1, NULL, 10, 0,
                                        &page),
                 CM_OK));
    cr_assert(eq(sz, page.n, 1), "the platform admin");
    cr_assert(eq(str, page.ids[0], "0a1b2c3d-4e5f-4a6b-8c7d-9e0fabcdef12"));
    access_page_release(&page);
    access_index_free(ix);
}
