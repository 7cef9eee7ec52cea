/* store_rows.h: what authz's store files share to run statements and turn
 * their rows into records; used by store_*.c only (handlers and renderers
 * see records, never a PGresult).
 *
 * A record is a struct of `const char *` (text, "" for SQL NULL), int
 * (booleans) and long fields; gs_select copies every row of a result into
 * an array of records whose strings live in one block, so the records
 * outlive the PGresult, which is cleared where it was made. */
#ifndef AUTHZ_STORE_ROWS_H
#define AUTHZ_STORE_ROWS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "cm_pg.h"

/* One field of a record: the column it comes from, its kind and where it is. */
enum gs_kind { GK_STR, GK_BOOL, GK_LONG };
struct gs_field {
    const char *column;
    enum gs_kind kind;
    size_t offset;
};

/* Runs sql as cm_pg_query and copies its rows into a new array of records of
 * size bytes (fields[0..nfields) filled, a column the result lacks reads as
 * "" / 0): *out_items (caller frees) and the block their strings point into
 * *out_mem (caller frees; NULL when there are none), *out_n rows. */
cm_err gs_select(PGconn *pg, const char *sql, int n, const char *const *values,
                 const struct gs_field *fields, size_t nfields, size_t size, void **out_items,
                 char **out_mem, size_t *out_n);

/* gs_select into a list struct {size_t n; T *items; char *mem;}. */
#define GS_SELECT(pg, sql, nvalues, values, fields, list)                                          \
    gs_select(pg, sql, nvalues, values, fields, sizeof(fields) / sizeof((fields)[0]),              \
              sizeof(*(list)->items), (void **)&(list)->items, &(list)->mem, &(list)->n)

#endif
