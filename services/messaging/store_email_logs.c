/* store_email_logs.c: the email_logs rows of messaging's deliveries
 * (store_email_logs.h). */
#include "store_email_logs.h"

#include "cm_pg.h"

cm_err store_email_log_add(PGconn *pg, const struct email_log_rec *r)
{
    const char *values[9] = {r->id,      r->channel,
                             r->recipient, r->kind,
                             r->subject, r->organization_id[0] ? r->organization_id : NULL,
                             r->status,  r->error,
                             r->created_at};

    return cm_pg_command(pg,
                         "INSERT INTO email_logs (id, channel, recipient, kind, subject, "
                         "organization_id, status, error, created_at) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                         9, values, NULL);
}

cm_err store_email_log_begin(PGconn *pg, const struct email_log_rec *r)
{
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_email_log_add(pg, r);
    if (err != CM_OK)
        cm_pg_rollback(pg);
    return err;
}

cm_err store_email_log_commit(PGconn *pg)
{
    cm_err err = cm_pg_commit(pg);

    if (err != CM_OK)
        cm_pg_rollback(pg);
    return err;
}

void store_email_log_abort(PGconn *pg)
{
    cm_pg_rollback(pg);
}
