/* cm_pg.h: Postgres connections of a service, its role, schema and migrations.
 *
 * Each handler thread owns one PGconn (libpq forbids sharing one between
 * threads); its search_path is pinned to the service's schema so queries use
 * unqualified names. At start the service optionally creates its own role and
 * schema as an admin, then applies libcommon's built-in migrations (the
 * outbox and inbox tables, idempotency_keys) and
 * services/<svc>/migrations/NNN_name.sql in order under an advisory lock,
 * recording each in <svc>.schema_migrations.
 *
 * Lost connections (a Postgres restart, a closed socket): cm_pg_exec and
 * cm_pg_exec_params (so cm_pg_query, cm_pg_begin) run a statement again,
 * once, on a new connection (PQreset of the same PGconn, search_path kept)
 * when it failed because the connection was lost and no transaction was
 * open before it (BEGIN itself, or a statement on its own): nothing the
 * caller applied can have been lost. Inside a transaction the loss is
 * returned as CM_EUNAVAIL (503), never retried. */
#ifndef CM_PG_H
#define CM_PG_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_config.h"
#include "cm_err.h"

/* Opens a connection for cfg's service role with search_path pinned to the
 * service schema. On CM_OK *out_conn is open (caller PQfinish). Returns
 * CM_EUNAVAIL when the server cannot be reached or refuses. */
cm_err cm_pg_connect(const struct cm_config *cfg, PGconn **out_conn);

/* When cfg->pg_admin_user is set: connects as the admin and makes sure the
 * role cfg->pg_user exists with cfg->pg_password (LOGIN, nothing else) and
 * owns schema cfg->service, with PUBLIC's rights on it revoked. Without an
 * admin user it does nothing and returns CM_OK (the role and schema must then
 * exist). Idempotent; safe when several copies start at once. */
cm_err cm_pg_bootstrap(const struct cm_config *cfg);

/* Applies every migration not yet recorded in schema_migrations, each in
 * its own transaction, while holding an advisory lock that serialises
 * concurrent starts: first libcommon's built-in ones (000_outbox_inbox.sql,
 * cm_outbox.h; 000_idempotency_keys.sql, cm_idempotency.h), then the files of cfg->migrations_dir in file-name order.
 * conn must come from cm_pg_connect. */
cm_err cm_pg_migrate(const struct cm_config *cfg, PGconn *conn);

/* Makes sure *conn is usable: when it is known broken, resets it (a
 * blocking reconnect) and pins search_path again. Returns CM_EUNAVAIL if
 * still down. A connection the server closed while idle still looks usable
 * here; its next statement finds out and reconnects (above). */
cm_err cm_pg_ensure(const struct cm_config *cfg, PGconn **conn);

/* Runs a parameterless statement (fixed SQL only, never assembled from
 * input) and returns its cm_err; the result is cleared. Retried once on a
 * lost connection outside a transaction (above). */
cm_err cm_pg_exec(PGconn *conn, const char *sql);

/* Maps the result of a command to a cm_err: PGRES_COMMAND_OK and
 * PGRES_TUPLES_OK → CM_OK; SQLSTATE 23505/23P01 → CM_ECONFLICT, 23503 →
 * CM_ENOTFOUND, 22xxx/23502/23514 → CM_EINVAL, 08xxx/57P0x → CM_EUNAVAIL,
 * 57014 → CM_ETIMEOUT; an error without SQLSTATE (made by libpq: the
 * connection is lost) → CM_EUNAVAIL; others → CM_EINTERNAL. Logs every
 * error that is not the caller's (CM_EINTERNAL, CM_EUNAVAIL) with its
 * SQLSTATE and message, or libpq's text when there is no SQLSTATE (never
 * the parameters, which may be personal data). res may be NULL
 * (→ CM_EUNAVAIL). */
cm_err cm_pg_result_err(const PGresult *res);

/* Runs sql with n text parameters (cm_pg_exec_params). On CM_OK *out_res is the
 * result (caller PQclear); otherwise it was cleared here and the error is
 * cm_pg_result_err's. */
cm_err cm_pg_query(PGconn *conn, const char *sql, int n, const char *const *values,
                   PGresult **out_res);

/* PQexecParams, retried once on a lost connection outside a transaction
 * (above), with the statement prepared on conn the first time this
 * thread runs this SQL text on it, then executed prepared: each statement is
 * planned once per connection instead of at every call (Postgres may still
 * re-plan per call where a generic plan would be worse). Same arguments and
 * result as PQexecParams (caller PQclear); statements with paramTypes, and
 * any beyond 256 per connection and thread, run unprepared. */
PGresult *cm_pg_exec_params(PGconn *conn, const char *sql, int n, const Oid *types,
                            const char *const *values, const int *lengths, const int *formats,
                            int result_format);

/* BEGIN and COMMIT on conn. */
cm_err cm_pg_begin(PGconn *conn);
cm_err cm_pg_commit(PGconn *conn);

/* ROLLBACK when a transaction is open, for error paths: returns nothing, the
 * error being handled is what the caller reports. */
void cm_pg_rollback(PGconn *conn);

/* As cm_pg_query for a statement whose rows are not read: the count of rows
 * it affected (or returned) goes to *out_rows when out_rows is not NULL. */
cm_err cm_pg_command(PGconn *conn, const char *sql, int n, const char *const *values,
                     long *out_rows);

/* Same mapping for a bare SQLSTATE string; NULL → CM_EINTERNAL. */
cm_err cm_pg_sqlstate_err(const char *sqlstate);

/* --- reading results and ending transactions (shared by every store) --- */

/* NULL for NULL or "" (an absent optional parameter), else s. */
const char *cm_pg_opt(const char *s);

/* An optional boolean parameter: NULL for b < 0 (not given), else "true" or
 * "false". */
const char *cm_pg_opt_bool(int b);

/* Text of column name in row of res; "" for SQL NULL, an unknown column or a
 * row res does not have. Borrowed from res (valid until PQclear). */
const char *cm_pg_col(const PGresult *res, int row, const char *name);

/* Column name of row as a boolean: 1 for "t", 0 otherwise (NULL, absent). */
int cm_pg_bool(const PGresult *res, int row, const char *name);

/* Copies cm_pg_col(res, row, name) into dst (cap bytes, truncated,
 * NUL-terminated). */
void cm_pg_copy(const PGresult *res, int row, const char *name, char *dst, size_t cap);

/* For `return cm_pg_one_row(cm_pg_query(...), &res)`: when err is CM_OK but
 * *res does not hold exactly one row, clears it (*res = NULL) and returns
 * CM_ENOTFOUND; otherwise returns err. */
cm_err cm_pg_one_row(cm_err err, PGresult **res);

/* The count of rows a command affected (PQcmdTuples); 0 when it says none. */
long cm_pg_rows(const PGresult *res);

/* Ends the transaction on conn: COMMIT when err is CM_OK, else (or when
 * COMMIT fails) ROLLBACK if one is open; returns the first error. */
cm_err cm_pg_end(PGconn *conn, cm_err err);

/* Runs sql with n parameters of the given lengths and formats (both may be
 * NULL: all text). On CM_OK *out_res is the result (caller PQclear), or it
 * is cleared here when out_res is NULL; on error it was cleared here and the
 * error is cm_pg_result_err's. */
cm_err cm_pg_query_bin(PGconn *conn, const char *sql, int n, const char *const *values,
                       const int *lengths, const int *formats, PGresult **out_res);

/* For statements sent without waiting (cm_pg_pipe.h): makes sure sql
 * (constant text with static storage: it is known again by its address), with
 * n text parameters, is prepared on conn for this thread (a blocking
 * PREPARE the first time, as cm_pg_exec_params does) and writes its
 * statement name into name (cap >= 40 bytes), or "" when the cache is full
 * (send it unprepared). Returns 0, or -1 when the PREPARE failed (logged
 * unless it is the caller's error). Not in pipeline mode. */
int cm_pg_prepared_name(PGconn *conn, const char *sql, int n, char *name, size_t cap);

/* After a lost connection: one blocking reconnect of conn (PQreset, which
 * also leaves pipeline mode; search_path kept), forgetting what this thread
 * prepared on it. 1 when the connection is usable again. */
int cm_pg_reconnect(PGconn *conn);

#endif
