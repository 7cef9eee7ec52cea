/* handlers_deliver.c: messaging.rpc.Deliver, the one way the suite sends an
 * email or SMS: the local transport (spool.h) and the email_logs row that
 * records the send (store_email_logs.h), kept consistent with each other. */
#include "handlers_deliver.h"

#include <stdio.h>
#include <string.h>

#include "cm_log.h"
#include "cm_nats.h"
#include "messaging.pb-c.h"
#include "spool.h"
#include "store_email_logs.h"

/* Sends m as message id: the 'sent' row and the spool file commit together
 * (the file is removed again when the commit fails). A transport failure
 * rolls the row back and records a 'failed' one instead. */
static cm_err deliver(struct cm_worker *w, const struct spool_msg *m, const char *id)
{
    int64_t ns = spool_now_ns();
    char created_at[SPOOL_TIME_LEN + 1], why[256] = "";
    struct email_log_rec row = {id,         m->channel, m->to, m->kind, m->subject,
                                m->organization_id, "sent", "", created_at};
    cm_err err, werr;

    spool_rfc3339(ns, created_at);
    err = store_email_log_begin(w->pg, &row);
    if (err != CM_OK)
        return cm_rpc_fail(w, err, "the delivery could not be recorded");
    werr = spool_write(w->cfg->spool_dir, m, id, ns, why, sizeof why);
    if (werr != CM_OK) {
        store_email_log_abort(w->pg);
        cm_warn("message %s (%s, %s) not delivered: %s", id, m->channel, m->kind, why);
        row.status = "failed";
        row.error = why;
        if (store_email_log_add(w->pg, &row) != CM_OK)
            cm_warn("message %s: its failure could not be recorded", id);
        return cm_rpc_fail(w, werr, "the message could not be delivered");
    }
    err = store_email_log_commit(w->pg);
    if (err != CM_OK) {
        spool_remove(w->cfg->spool_dir, id, ns);
        return cm_rpc_fail(w, err, "the delivery could not be recorded");
    }
    cm_info("message %s delivered (%s, %s)", id, m->channel, m->kind);
    return CM_OK;
}

cm_err rpc_deliver(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                   size_t *out_len)
{
    Messaging__DeliverRequest *in;
    Messaging__DeliverReply out = MESSAGING__DELIVER_REPLY__INIT;
    struct spool_msg m;
    char id[SPOOL_UUID_LEN + 1], why[128];
    cm_err err;

    in = messaging__deliver_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed DeliverRequest");
    m.channel = in->channel;
    m.to = in->to;
    m.subject = in->subject;
    m.body = in->body;
    m.kind = in->kind;
    m.organization_id = in->organization_id;
    err = spool_validate(&m, why, sizeof why);
    if (err != CM_OK) {
        messaging__deliver_request__free_unpacked(in, NULL);
        return cm_rpc_fail(w, err, "%s", why);
    }
    spool_uuid(id);
    err = deliver(w, &m, id);
    messaging__deliver_request__free_unpacked(in, NULL);
    if (err != CM_OK)
        return err;
    out.message_id = id;
    *out_payload = cm_pack(&out.base, out_len);
    return CM_OK;
}

cm_err deliver_message(struct cm_worker *w, const struct spool_msg *m)
{
    char id[SPOOL_UUID_LEN + 1], why[128];
    cm_err err = spool_validate(m, why, sizeof why);

    if (err != CM_OK) {
        cm_warn("message (%s, %s) not delivered: %s", m->channel, m->kind, why);
        return err;
    }
    spool_uuid(id);
    return deliver(w, m, id);
}
