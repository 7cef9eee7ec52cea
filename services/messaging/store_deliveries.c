/* store_deliveries.c: SQL of the deliveries queue (store_deliveries.h). */
#include "store_deliveries.h"
#include "store_delivery_events.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

cm_err store_delivery_enqueue(PGconn *pg, const struct email_log_rec *row, const char *body,
                              const char *format)
{
    const char *v[6] = {row->id, row->channel, row->recipient, row->subject, body, format};
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_email_log_add(pg, row);
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO deliveries (id, channel, recipient, subject, body, format)"
                            " VALUES ($1, $2, $3, $4, $5, $6)",
                            6, v, NULL);
    return cm_pg_end(pg, err);
}

#define F(field)                                                                                   \
    {                                                                                              \
#field, CM_PG_STR, offsetof(struct delivery_rec, field)                                    \
    }
static const struct cm_pg_field fields[] = {
    F(id),        F(channel),
    F(recipient), F(subject),
    F(body),      F(format),
    F(kind),      {"attempts", CM_PG_LONG, offsetof(struct delivery_rec, attempts)},
};
#undef F

cm_err store_delivery_claim(PGconn *pg, int max, struct delivery_list *out)
{
    char n[16], lease[16];
    const char *v[2] = {n, lease};

    snprintf(n, sizeof n, "%d", max);
    snprintf(lease, sizeof lease, "%d", DELIVERY_LEASE_S);
    return CM_PG_SELECT(pg,
                        "WITH due AS (SELECT id FROM deliveries WHERE next_at <= now()"
                        " ORDER BY next_at LIMIT $1::int FOR UPDATE SKIP LOCKED)"
                        " UPDATE deliveries d SET next_at = now() + make_interval(secs => $2::int)"
                        " FROM due, email_logs l WHERE d.id = due.id AND l.id = d.id"
                        " RETURNING d.id::text AS id, d.channel, d.recipient, d.subject, d.body,"
                        " d.format, l.kind, d.attempts",
                        2, v, fields, out);
}

cm_err store_delivery_sent(PGconn *pg, const char *id)
{
    const char *v[1] = {id};
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = cm_pg_command(pg, "UPDATE email_logs SET status = 'sent' WHERE id = $1", 1, v, NULL);
    if (err == CM_OK)
        err = cm_pg_command(pg, "DELETE FROM deliveries WHERE id = $1", 1, v, NULL);
    if (err == CM_OK)
        err = delivery_event_add(pg, id, "sent", "", "", "");
    return cm_pg_end(pg, err);
}

cm_err store_delivery_retry(PGconn *pg, const char *id, long attempts, const char *error,
                            long retry_ms, int final)
{
    char a[24], ms[24];
    const char *v[4] = {id, a, error, ms};
    cm_err err;

    snprintf(a, sizeof a, "%ld", attempts);
    snprintf(ms, sizeof ms, "%ld", retry_ms);
    if (!final)
        return cm_pg_command(pg,
                             "UPDATE deliveries SET attempts = $2::int, last_error = $3,"
                             " next_at = now() + make_interval(secs => $4::double precision / 1000)"
                             " WHERE id = $1",
                             4, v, NULL);
    err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "UPDATE email_logs SET status = 'failed', error = $3 WHERE id = $1"
                            " AND $2::int > 0",
                            3, v, NULL);
    if (err == CM_OK)
        err = cm_pg_command(pg, "DELETE FROM deliveries WHERE id = $1", 1, v, NULL);
    if (err == CM_OK && attempts > 0)
        err = delivery_event_add(pg, id, "failed", error, "", "");
    return cm_pg_end(pg, err);
}

void store_delivery_list_free(struct delivery_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}
