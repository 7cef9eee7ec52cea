/* store_email_logs.c: the email_logs rows of messaging's deliveries and
 * bounces, and the addresses bounces closed (store_email_logs.h). */
#include "store_email_logs.h"
#include "store_delivery_events.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"
#include "store_time.h"

cm_err store_email_log_add(PGconn *pg, const struct email_log_rec *r)
{
    const char *values[10] = {r->id,         r->channel,
                              r->recipient,  r->kind,
                              r->subject,    r->organization_id[0] ? r->organization_id : NULL,
                              r->status,     r->error,
                              r->created_at, cm_pg_opt(r->idempotency_key)};

    return cm_pg_command(pg,
                         "INSERT INTO email_logs (id, channel, recipient, kind, subject, "
                         "organization_id, status, error, created_at, idempotency_key) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                         10, values, NULL);
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

cm_err store_email_log_find_sent(PGconn *pg, const char *key, const char *recipient, char out[37])
{
    const char *v[2] = {key, recipient};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(cm_pg_query(pg,
                                           "SELECT id::text AS id FROM email_logs WHERE "
                                           "idempotency_key = $1 AND lower(recipient) = "
                                           "lower($2) AND status IN ('sent', 'queued')",
                                           2, v, &res),
                               &res);

    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "id", out, 37);
    PQclear(res);
    return CM_OK;
}

cm_err store_address_suppressed(PGconn *pg, const char *address, int *out_suppressed)
{
    const char *v[1] = {address};
    long rows = 0;
    cm_err err = cm_pg_command(pg, "SELECT 1 FROM suppressed_addresses WHERE address = lower($1)",
                               1, v, &rows);

    if (err == CM_OK)
        *out_suppressed = rows > 0;
    return err;
}

cm_err store_bounce_record(PGconn *pg, const struct email_log_rec *r, const char *bounce_type,
                           const char *bounce_subtype, const char *message_ref, int permanent)
{
    const char *v[7] = {
        r->id,        r->recipient,   r->organization_id[0] ? r->organization_id : NULL,
        bounce_type,  bounce_subtype, cm_pg_opt(message_ref),
        r->created_at};
    const char *s[2] = {r->recipient, bounce_subtype};
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err =
            cm_pg_command(pg,
                          "INSERT INTO email_logs (id, channel, recipient, kind, subject,"
                          " organization_id, status, bounce_type, bounce_subtype, message_ref,"
                          " created_at)"
                          " SELECT $1, 'email', $2, coalesce(m.kind, ''), coalesce(m.subject, ''),"
                          " coalesce($3::uuid, m.organization_id), 'bounced', $4, $5, $6, $7"
                          " FROM (SELECT 1) one LEFT JOIN email_logs m ON m.id = $6::uuid",
                          7, v, NULL);
    if (err == CM_OK && permanent)
        err = cm_pg_command(pg,
                            "INSERT INTO suppressed_addresses (address, reason)"
                            " VALUES (lower($1), $2) ON CONFLICT (address) DO NOTHING",
                            2, s, NULL);
    if (err == CM_OK && message_ref && message_ref[0])
        err = delivery_event_add(pg, message_ref, "bounced", "", bounce_type, bounce_subtype);
    return cm_pg_end(pg, err);
}

cm_err store_bounce_clear(PGconn *pg, const char *address, int *out_was)
{
    const char *v[1] = {address};
    long rows = 0;
    cm_err err = cm_pg_command(pg, "DELETE FROM suppressed_addresses WHERE address = lower($1)", 1,
                               v, &rows);

    if (err == CM_OK)
        *out_was = rows > 0;
    return err;
}

#define F(field)                                                                                   \
    {                                                                                              \
#field, CM_PG_STR, offsetof(struct email_log_entry, field)                                 \
    }
static const struct cm_pg_field entry_fields[] = {
    F(seq),
    F(id),
    F(channel),
    F(recipient),
    F(kind),
    F(subject),
    F(organization_id),
    F(status),
    F(bounce_type),
    F(bounce_subtype),
    F(message_ref),
    F(created_at),
};
#undef F

cm_err store_email_log_list(PGconn *pg, const struct email_log_filter *f,
                            struct email_log_list *out)
{
    char lim[24], off[24];
    const char *v[6] = {cm_pg_opt(f->organization_id),
                        cm_pg_opt(f->destination),
                        cm_pg_opt(f->gte),
                        cm_pg_opt(f->lte),
                        lim,
                        off};

    snprintf(lim, sizeof lim, "%ld", f->limit);
    snprintf(off, sizeof off, "%ld", f->offset);
    return CM_PG_SELECT(
        pg,
        "SELECT seq::text AS seq, id::text AS id, channel, recipient, kind,"
        " subject, coalesce(organization_id::text, '') AS organization_id, status,"
        " bounce_type, bounce_subtype, coalesce(message_ref::text, '') AS message_ref, " MSG_TS(
            "created_at") " AS created_at FROM email_logs"
                          " WHERE ($1::uuid IS NULL OR organization_id = $1)"
                          " AND ($2::text IS NULL OR lower(recipient) = lower($2))"
                          " AND ($3::timestamptz IS NULL OR created_at >= $3)"
                          " AND ($4::timestamptz IS NULL OR created_at <= $4)"
                          " ORDER BY seq LIMIT $5 OFFSET $6",
        6, v, entry_fields, out);
}

void store_email_log_list_free(struct email_log_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}
