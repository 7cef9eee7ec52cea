/* cm_pg_select.h: a statement's rows copied into an array of records, so
 * store code clears its PGresult where it made it and handlers and renderers
 * see records only (STYLE.md §2); the store files of authz and identity
 * use it.
 *
 * A record is a struct of `const char *` (text, "" for SQL NULL), int
 * (booleans) and long fields; every string of one list lives in one block. */
#ifndef CM_PG_SELECT_H
#define CM_PG_SELECT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One field of a record: the column it comes from, its kind and where it is. */
enum cm_pg_kind { CM_PG_STR, CM_PG_BOOL, CM_PG_LONG };
struct cm_pg_field {
    const char *column;
    enum cm_pg_kind kind;
    size_t offset;
};

/* Runs sql as cm_pg_query and copies its rows into a new array of records of
 * size bytes (fields[0..nfields) filled, a column the result lacks reads as
 * "" / 0): *out_items (caller frees) and the block their strings point into
 * *out_mem (caller frees; NULL when there are none), *out_n rows. */
cm_err cm_pg_select(PGconn *pg, const char *sql, int n, const char *const *values,
                    const struct cm_pg_field *fields, size_t nfields, size_t size, void **out_items,
                    char **out_mem, size_t *out_n);

/* As cm_pg_select on an existing result (not cleared). */
void cm_pg_records(const PGresult *res, const struct cm_pg_field *fields, size_t nfields,
                   size_t size, void **out_items, char **out_mem, size_t *out_n);

/* As cm_pg_records for rows [first, first + rows) of res only (rows within
 * res). */
void cm_pg_records_rows(const PGresult *res, size_t first, size_t rows,
                        const struct cm_pg_field *fields, size_t nfields, size_t size,
                        void **out_items, char **out_mem, size_t *out_n);

/* cm_pg_select into a list struct {size_t n; T *items; char *mem;}. */
#define CM_PG_SELECT(pg, sql, nvalues, values, fields, list)                                       \
    cm_pg_select(pg, sql, nvalues, values, fields, sizeof(fields) / sizeof((fields)[0]),           \
                 sizeof(*(list)->items), (void **)&(list)->items, &(list)->mem, &(list)->n)

/* cm_pg_select for a statement that must find exactly one row: on any
 * other count nothing is kept (*out_items and *out_mem NULL, *out_n 0) and
 * CM_ENOTFOUND is returned. */
cm_err cm_pg_select_one(PGconn *pg, const char *sql, int n, const char *const *values,
                        const struct cm_pg_field *fields, size_t nfields, size_t size,
                        void **out_items, char **out_mem, size_t *out_n);

/* cm_pg_select_one into a list struct {size_t n; T *items; char *mem;}. */
#define CM_PG_SELECT_ONE(pg, sql, nvalues, values, fields, list)                                   \
    cm_pg_select_one(pg, sql, nvalues, values, fields, sizeof(fields) / sizeof((fields)[0]),       \
                     sizeof(*(list)->items), (void **)&(list)->items, &(list)->mem, &(list)->n)

/* For records with fixed-size fields (char arrays) that a store fills
 * itself: rec_of copies row `row` of res into rec (a record of the store's
 * type; res and the row are borrowed). */
typedef void (*cm_pg_rec_fn)(const PGresult *res, int row, void *rec);

/* Runs sql as cm_pg_query and copies each row with rec_of into a new array
 * of size-byte records: *out_items (caller frees; allocated even for no
 * row), *out_n rows. Nothing is written on an error. */
cm_err cm_pg_select_recs(PGconn *pg, const char *sql, int n, const char *const *values,
                         cm_pg_rec_fn rec_of, size_t size, void **out_items, size_t *out_n);

/* Runs sql, which must find exactly one row, and copies it into rec with
 * rec_of; CM_ENOTFOUND (rec untouched) on any other count. */
cm_err cm_pg_select_rec(PGconn *pg, const char *sql, int n, const char *const *values,
                        cm_pg_rec_fn rec_of, void *rec);

#endif
