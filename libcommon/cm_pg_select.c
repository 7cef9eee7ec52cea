/* cm_pg_select.c: rows → records (cm_pg_select.h). */
#include "cm_pg_select.h"

#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"

void cm_pg_records(const PGresult *res, const struct cm_pg_field *fields, size_t nfields,
                   size_t size, void **out_items, char **out_mem, size_t *out_n)
{
    cm_pg_records_rows(res, 0, (size_t)PQntuples(res), fields, nfields, size, out_items, out_mem,
                       out_n);
}

void cm_pg_records_rows(const PGresult *res, size_t first, size_t rows,
                        const struct cm_pg_field *fields, size_t nfields, size_t size,
                        void **out_items, char **out_mem, size_t *out_n)
{
    size_t need = 0, at = 0;
    char *items, *mem;

    for (size_t r = 0; r < rows; r++)
        for (size_t f = 0; f < nfields; f++)
            if (fields[f].kind == CM_PG_STR)
                need += strlen(cm_pg_col(res, (int)(first + r), fields[f].column)) + 1;
    items = cm_xcalloc(rows ? rows : 1, size);
    mem = need ? cm_xmalloc(need) : NULL;
    for (size_t r = 0; r < rows; r++) {
        char *rec = items + r * size;
        for (size_t f = 0; f < nfields; f++) {
            const char *v = cm_pg_col(res, (int)(first + r), fields[f].column);
            if (fields[f].kind == CM_PG_STR) {
                size_t len = strlen(v) + 1;
                memcpy(mem + at, v, len);
                *(const char **)(void *)(rec + fields[f].offset) = mem + at;
                at += len;
            } else if (fields[f].kind == CM_PG_BOOL) {
                *(int *)(void *)(rec + fields[f].offset) = v[0] == 't';
            } else {
                *(long *)(void *)(rec + fields[f].offset) = strtol(v, NULL, 10);
            }
        }
    }
    *out_items = items;
    *out_mem = mem;
    *out_n = rows;
}

cm_err cm_pg_select(PGconn *pg, const char *sql, int n, const char *const *values,
                    const struct cm_pg_field *fields, size_t nfields, size_t size, void **out_items,
                    char **out_mem, size_t *out_n)
{
    PGresult *res;
    cm_err err = cm_pg_query(pg, sql, n, values, &res);

    if (err != CM_OK)
        return err;
    cm_pg_records(res, fields, nfields, size, out_items, out_mem, out_n);
    PQclear(res);
    return CM_OK;
}

cm_err cm_pg_select_one(PGconn *pg, const char *sql, int n, const char *const *values,
                        const struct cm_pg_field *fields, size_t nfields, size_t size,
                        void **out_items, char **out_mem, size_t *out_n)
{
    cm_err err =
        cm_pg_select(pg, sql, n, values, fields, nfields, size, out_items, out_mem, out_n);

    if (err == CM_OK && *out_n != 1) {
        free(*out_items);
        free(*out_mem);
        *out_items = NULL;
        *out_mem = NULL;
        *out_n = 0;
        err = CM_ENOTFOUND;
    }
    return err;
}

cm_err cm_pg_select_recs(PGconn *pg, const char *sql, int n, const char *const *values,
                         cm_pg_rec_fn rec_of, size_t size, void **out_items, size_t *out_n)
{
    PGresult *res;
    cm_err err = cm_pg_query(pg, sql, n, values, &res);
    size_t rows;
    char *items;

    if (err != CM_OK)
        return err;
    rows = (size_t)PQntuples(res);
    items = cm_xcalloc(rows ? rows : 1, size);
    for (size_t r = 0; r < rows; r++)
        rec_of(res, (int)r, items + r * size);
    PQclear(res);
    *out_items = items;
    *out_n = rows;
    return CM_OK;
}

cm_err cm_pg_select_rec(PGconn *pg, const char *sql, int n, const char *const *values,
                        cm_pg_rec_fn rec_of, void *rec)
{
    PGresult *res;
    cm_err err = cm_pg_one_row(cm_pg_query(pg, sql, n, values, &res), &res);

    if (err != CM_OK)
        return err;
    rec_of(res, 0, rec);
    PQclear(res);
    return CM_OK;
}
