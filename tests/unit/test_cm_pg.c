/* test_cm_pg.c: cm_pg's pure helpers for reading results (columns by name,
 * booleans, copies, row counts) and optional parameters, on results built
 * in memory with libpq's PQmakeEmptyPGresult: no server. Statements,
 * transactions and migrations run against a real stack in
 * tests/integration. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "cm_pg.h"

/* A two-row result with columns id, flag and note; note is NULL in row 1. */
static PGresult *two_rows(void)
{
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc attrs[3] = {
        {.name = "id", .typid = 25, .typlen = -1, .atttypmod = -1},
        {.name = "flag", .typid = 16, .typlen = 1, .atttypmod = -1},
        {.name = "note", .typid = 25, .typlen = -1, .atttypmod = -1},
    };

    cr_assert(res != NULL);
    cr_assert(PQsetResultAttrs(res, 3, attrs));
    cr_assert(PQsetvalue(res, 0, 0, "a1", 2));
    cr_assert(PQsetvalue(res, 0, 1, "t", 1));
    cr_assert(PQsetvalue(res, 0, 2, "hello world", 11));
    cr_assert(PQsetvalue(res, 1, 0, "b2", 2));
    cr_assert(PQsetvalue(res, 1, 1, "f", 1));
    cr_assert(PQsetvalue(res, 1, 2, NULL, -1)); /* SQL NULL */
    return res;
}

Test(cm_pg, col_reads_a_column_by_name_in_the_row_asked)
{
    PGresult *res = two_rows();

    cr_assert(eq(str, (char *)cm_pg_col(res, 0, "id"), "a1"));
    cr_assert(eq(str, (char *)cm_pg_col(res, 1, "id"), "b2"));
    cr_assert(eq(str, (char *)cm_pg_col(res, 0, "note"), "hello world"));
    PQclear(res);
}

Test(cm_pg, col_is_empty_for_null_unknown_column_and_missing_row)
{
    PGresult *res = two_rows();

    cr_assert(eq(str, (char *)cm_pg_col(res, 1, "note"), ""));
    cr_assert(eq(str, (char *)cm_pg_col(res, 0, "no_such_column"), ""));
    cr_assert(eq(str, (char *)cm_pg_col(res, 2, "id"), ""));
    cr_assert(eq(str, (char *)cm_pg_col(res, -1, "id"), ""));
    cr_assert(eq(str, (char *)cm_pg_col(NULL, 0, "id"), ""));
    PQclear(res);
}

Test(cm_pg, bool_is_true_only_for_t)
{
    PGresult *res = two_rows();

    cr_assert(eq(int, cm_pg_bool(res, 0, "flag"), 1));
    cr_assert(eq(int, cm_pg_bool(res, 1, "flag"), 0));
    cr_assert(eq(int, cm_pg_bool(res, 1, "note"), 0)); /* NULL */
    cr_assert(eq(int, cm_pg_bool(res, 0, "missing"), 0));
    PQclear(res);
}

Test(cm_pg, copy_truncates_to_the_buffer_and_terminates)
{
    PGresult *res = two_rows();
    char small[6], big[32];

    memset(small, 'x', sizeof small);
    cm_pg_copy(res, 0, "note", small, sizeof small);
    cr_assert(eq(str, small, "hello"));
    cm_pg_copy(res, 0, "note", big, sizeof big);
    cr_assert(eq(str, big, "hello world"));
    cm_pg_copy(res, 1, "note", big, sizeof big);
    cr_assert(eq(str, big, ""));
    PQclear(res);
}

Test(cm_pg, rows_is_zero_for_a_result_without_a_command_count)
{
    PGresult *res = two_rows();

    cr_assert(eq(long, cm_pg_rows(res), 0));
    cr_assert(eq(long, cm_pg_rows(NULL), 0));
    PQclear(res);
}

Test(cm_pg, one_row_keeps_one_row_and_turns_others_into_not_found)
{
    PGresult *res = two_rows(), *one = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc attr = {.name = "id", .typid = 25, .typlen = -1, .atttypmod = -1};

    cr_assert(PQsetResultAttrs(one, 1, &attr));
    cr_assert(PQsetvalue(one, 0, 0, "x", 1));
    cr_assert(eq(int, cm_pg_one_row(CM_OK, &one), CM_OK));
    cr_assert(one != NULL);
    cr_assert(eq(str, (char *)cm_pg_col(one, 0, "id"), "x"));
    PQclear(one);
    cr_assert(eq(int, cm_pg_one_row(CM_OK, &res), CM_ENOTFOUND));
    cr_assert(res == NULL, "the result was cleared");
    cr_assert(eq(int, cm_pg_one_row(CM_EUNAVAIL, &res), CM_EUNAVAIL), "an error passes through");
}

Test(cm_pg, opt_turns_empty_into_sql_null)
{
    const char *s = "abc";

    cr_assert(cm_pg_opt(NULL) == NULL);
    cr_assert(cm_pg_opt("") == NULL);
    cr_assert(cm_pg_opt(s) == s);
}

Test(cm_pg, opt_bool_turns_not_given_into_sql_null)
{
    cr_assert(cm_pg_opt_bool(-1) == NULL);
    cr_assert(eq(str, (char *)cm_pg_opt_bool(0), "false"));
    cr_assert(eq(str, (char *)cm_pg_opt_bool(1), "true"));
}
