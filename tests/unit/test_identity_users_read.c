/* test_identity_users_read.c: how a user row of identity's read (#147) and
 * list (#146) is taken from a result (store_user_records): columns found by
 * name, in the statement's order or any other, absent ones and SQL NULLs
 * read as "" and false. The results are built
 * with libpq's PQmakeEmptyPGresult / PQsetResultAttrs / PQsetvalue, so no
 * server is needed. */
// links: services/identity/store_users.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "../../services/identity/store_users.h"

/* The columns of a user row, in the order of the statement's select list. */
static const char *const names[] = {
    "id", "username", "email", "first_name", "last_name", "birth_date", "phone", "phone_type",
    "locale", "tz", "classification", "comm_prefs", "default_org_id",
    "registration_completed_time", "last_login_time", "created_at", "last_modified_time",
    "organizations", "roles", "locked_until", "pending_email", "locale_explicit", "tz_explicit",
    "email_verified",
    "phone_verified", "registered", "enabled", "is_platform_admin", "in_org",
};
#define NCOLS ((int)(sizeof names / sizeof names[0]))

/* A one-row text result with the columns names[order[0..n-1]], each value
 * "v:<name>" for text columns and "t" for the booleans (from
 * "locale_explicit" on), except the column named null_col: SQL NULL. */
static PGresult *result_of(const int *order, int n, const char *null_col)
{
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc attrs[NCOLS];

    cr_assert(res != NULL);
    memset(attrs, 0, sizeof attrs);
    for (int i = 0; i < n; i++) {
        attrs[i].name = (char *)names[order[i]];
        attrs[i].typlen = -1;
    }
    cr_assert(PQsetResultAttrs(res, n, attrs));
    for (int i = 0; i < n; i++) {
        char v[64];
        int flag = order[i] >= USER_TEXT_COLS;
        snprintf(v, sizeof v, flag ? "t" : "v:%s", names[order[i]]);
        if (null_col && !strcmp(null_col, names[order[i]]))
            cr_assert(PQsetvalue(res, 0, i, NULL, -1));
        else
            cr_assert(PQsetvalue(res, 0, i, v, (int)strlen(v)));
    }
    return res;
}

/* Row 0 of res into *u; its strings stay valid until the next read_row. */
static void read_row(const PGresult *res, struct user_rec *u)
{
    static struct user_list l;
    store_user_list_free(&l);
    store_user_records(res, &l);
    cr_assert(eq(sz, l.n, 1));
    *u = l.items[0];
}

Test(users_read_row, reads_every_column_by_name)
{
    int order[NCOLS];
    struct user_rec u;
    PGresult *res;

    for (int i = 0; i < NCOLS; i++)
        order[i] = i;
    res = result_of(order, NCOLS, "tz");
    read_row(res, &u);
    cr_assert(eq(str, (char *)u.id, "v:id"));
    cr_assert(eq(str, (char *)u.username, "v:username"));
    cr_assert(eq(str, (char *)u.comm_prefs, "v:comm_prefs"));
    cr_assert(eq(str, (char *)u.last_modified_time, "v:last_modified_time"));
    cr_assert(eq(str, (char *)u.locked_until, "v:locked_until"));
    cr_assert(eq(str, (char *)u.pending_email, "v:pending_email"));
    cr_assert(eq(str, (char *)u.tz, ""), "SQL NULL reads as \"\"");
    cr_assert(u.locale_explicit && u.tz_explicit && u.email_verified && u.phone_verified &&
              u.registered && u.enabled);
    PQclear(res);
}

Test(users_read_row, finds_columns_in_another_order)
{
    int order[NCOLS];
    struct user_rec u;
    PGresult *res;

    for (int i = 0; i < NCOLS; i++)
        order[i] = NCOLS - 1 - i;
    res = result_of(order, NCOLS, "enabled");
    read_row(res, &u);
    cr_assert(eq(str, (char *)u.id, "v:id"));
    cr_assert(eq(str, (char *)u.email, "v:email"));
    cr_assert(eq(str, (char *)u.roles, "v:roles"));
    cr_assert(eq(str, (char *)u.organizations, "v:organizations"));
    cr_assert(u.registered);
    cr_assert(u.enabled == 0, "SQL NULL reads as false");
    PQclear(res);
}

Test(users_read_row, reads_absent_columns_as_empty_and_false)
{
    int order[] = {0, 1, 26}; /* id, username, enabled */
    struct user_rec u;
    PGresult *res = result_of(order, 3, NULL);

    read_row(res, &u);
    cr_assert(eq(str, (char *)u.id, "v:id"));
    cr_assert(eq(str, (char *)u.username, "v:username"));
    cr_assert(eq(str, (char *)u.email, ""));
    cr_assert(eq(str, (char *)u.locked_until, ""));
    cr_assert(u.enabled);
    cr_assert(u.registered == 0);
    PQclear(res);
}
