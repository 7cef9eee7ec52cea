/* store_delivery_events.c: the delivery events (store_delivery_events.h). */
#include "store_delivery_events.h"

#include <stdlib.h>

#include "cm_outbox.h"
#include "cm_pg.h"
#include "messaging.pb-c.h"

cm_err delivery_event_add(PGconn *pg, const char *message_id, const char *change, const char *error,
                          const char *bounce_type, const char *bounce_subtype)
{
    Messaging__DeliveryChanged ev = MESSAGING__DELIVERY_CHANGED__INIT;
    const char *v[1] = {message_id};
    PGresult *res = NULL;
    cm_err err;

    if (!message_id || !message_id[0])
        return CM_OK;
    err = cm_pg_query(pg,
                      "SELECT channel, kind, coalesce(organization_id::text, '') FROM email_logs "
                      "WHERE id = $1::uuid AND status <> 'bounced' LIMIT 1",
                      1, v, &res);
    if (err != CM_OK)
        return err;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return CM_OK;
    }
    ev.message_id = (char *)message_id;
    ev.channel = PQgetvalue(res, 0, 0);
    ev.kind = PQgetvalue(res, 0, 1);
    ev.organization_id = PQgetvalue(res, 0, 2);
    ev.change = (char *)change;
    ev.error = (char *)(error ? error : "");
    ev.bounce_type = (char *)(bounce_type ? bounce_type : "");
    ev.bounce_subtype = (char *)(bounce_subtype ? bounce_subtype : "");
    err = cm_outbox_add_now(pg, "evt.messaging.delivery.", change, &ev.base);
    PQclear(res);
    return err;
}
