/* purge_rpc.c: messaging.rpc.Purge (purge_rpc.h): the email logs of what
 * was sent to the person's address go. A table that holds a person's data
 * gets one line here. (Spool files of the local transport are outgoing
 * mail, outside the database: not purged.) */
#include "cm_purge.h"
#include "purge_rpc.h"

static const char *const purge_statements[] = {
    "DELETE FROM email_logs WHERE lower(recipient) IN (SELECT lower(n) FROM unnest($2::text[]) n)",
    NULL,
};

cm_err messaging_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                           uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, purge_statements, NULL, out_payload, out_len);
}
