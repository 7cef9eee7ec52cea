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
    const char *status; /* "sent" | "failed" | "suppressed" | "bounced" */
    const char *error;  /* "" for a sent message */
    const char *created_at;
    const char *idempotency_key; /* "" or NULL: none */
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

/* Inserts r on its own (autocommit; retried once on a lost connection).
 * CM_ECONFLICT when r is 'sent' with an idempotency key and recipient that
 * already have a 'sent' row. */
cm_err store_email_log_add(PGconn *pg, const struct email_log_rec *r);

/* The id of the 'sent' or 'queued' row of (key, recipient) into out (37 bytes):
 * CM_OK, or CM_ENOTFOUND when none. */
cm_err store_email_log_find_sent(PGconn *pg, const char *key, const char *recipient, char out[37]);

/* *out_suppressed = 1 when address (any case) is closed by a permanent
 * bounce. */
cm_err store_address_suppressed(PGconn *pg, const char *address, int *out_suppressed);

/* A bounce report: a 'bounced' row (r: channel "email", bounce_type and
 * subtype set) and, when permanent, the address closed, in one
 * transaction. */
cm_err store_bounce_record(PGconn *pg, const struct email_log_rec *r, const char *bounce_type,
                           const char *bounce_subtype, const char *message_ref, int permanent);

/* Opens address again; *out_was = 1 when it was closed. */
cm_err store_bounce_clear(PGconn *pg, const char *address, int *out_was);

/* One email-logs entry as #22 shows it (strings borrowed from the list). */
struct email_log_entry {
    const char *seq, *id, *channel, *recipient, *kind, *subject, *organization_id, *status,
        *bounce_type, *bounce_subtype, *message_ref, *created_at;
};
struct email_log_list {
    size_t n;
    struct email_log_entry *items;
    char *mem;
};

/* What #22 narrows to: organization_id "" = every organization (platform
 * admin only), destination "" = any, gte/lte "" = unbounded (RFC 3339). */
struct email_log_filter {
    const char *organization_id, *destination, *gte, *lte;
    long limit, offset;
};

/* Entries matching f, oldest first. */
cm_err store_email_log_list(PGconn *pg, const struct email_log_filter *f,
                            struct email_log_list *out);

void store_email_log_list_free(struct email_log_list *l);

#endif
