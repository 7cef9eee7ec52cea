/* store_email_logs.h: messaging's email_logs table, the record of every
 * message messaging.rpc.Deliver sent or failed to send (never its body).
 * The only place in messaging with SQL; callers pass and get records. */
#ifndef MESSAGING_STORE_EMAIL_LOGS_H
#define MESSAGING_STORE_EMAIL_LOGS_H

#include <libpq-fe.h>

#include "cm_err.h"

/* One email_logs row; every string borrowed and NUL-terminated.
 * organization_id "" is stored as NULL; created_at is RFC 3339. */
struct email_log_rec {
    const char *id; /* uuid */
    const char *channel;
    const char *recipient;
    const char *kind;
    const char *subject;
    const char *organization_id;
    const char *status; /* "sent" | "failed" */
    const char *error;  /* "" for a sent message */
    const char *created_at;
};

/* Opens a transaction on pg and inserts r in it, for a row that must commit
 * together with something outside the database (the spool file): the
 * caller ends it with store_email_log_commit or store_email_log_abort. On
 * an error nothing stays open. cm_pg_result_err's errors. */
cm_err store_email_log_begin(PGconn *pg, const struct email_log_rec *r);

/* Commits what store_email_log_begin opened; on an error it is rolled back. */
cm_err store_email_log_commit(PGconn *pg);

/* Rolls back what store_email_log_begin opened (error paths). */
void store_email_log_abort(PGconn *pg);

/* Inserts r on its own (autocommit; retried once on a lost connection). */
cm_err store_email_log_add(PGconn *pg, const struct email_log_rec *r);

#endif
