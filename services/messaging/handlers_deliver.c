/* handlers_deliver.c: messaging.rpc.Deliver, the one way the suite sends an
 * email or SMS: the message (given whole, or composed from a template:
 * delivery_compose.h), the checks before a send (an address closed by a
 * permanent bounce, a request already served: idempotency key), the local
 * transport (spool.h) and the email_logs row that records the send
 * (store_email_logs.h), kept consistent with each other. */
#include "handlers_deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "delivery_compose.h"
#include "delivery_sender.h"
#include "messaging.pb-c.h"
#include "short_link_json.h"
#include "short_links_input.h"
#include "store_delivery_events.h"
#include "spool.h"
#include "store_deliveries.h"
#include "store_email_logs.h"

#define MAX_IDEMPOTENCY_KEY 200

/* The email log row of message id (m's fields, the rest given; all
 * borrowed). */
static struct email_log_rec log_row(const struct spool_msg *m, const char *id,
                                    const char *created_at, const char *status, const char *error,
                                    const char *key)
{
    return (struct email_log_rec){.id = id,
                                  .channel = m->channel,
                                  .recipient = m->to,
                                  .kind = m->kind,
                                  .subject = m->subject,
                                  .organization_id = m->organization_id,
                                  .status = status,
                                  .error = error,
                                  .created_at = created_at,
                                  .idempotency_key = key};
}

/* Sends m as message id. With a remote transport for its channel it is
 * queued ('queued' row and deliveries row in one transaction) for the
 * sender thread (delivery_sender.h). With the spool, the 'sent' row and
 * the spool file commit together (the file is removed again when the
 * commit fails); a transport failure rolls the row back and records a
 * 'failed' one instead. CM_ECONFLICT
 * (nothing sent) when key already has a 'sent' row for the recipient. */
static cm_err deliver(struct cm_worker *w, const struct spool_msg *m, const char *id,
                      const char *key)
{
    int64_t ns = spool_now_ns();
    char created_at[SPOOL_TIME_LEN + 1], why[256] = "";
    struct email_log_rec row = log_row(m, id, created_at, "sent", "", key);
    cm_err err, werr;

    spool_rfc3339(ns, created_at);
    if (delivery_remote(w->cfg, m->channel)) { /* the sender thread takes it from here */
        row.status = "queued";
        err = store_delivery_enqueue(w->pg, &row, m->body, m->format ? m->format : "txt");
        if (err == CM_ECONFLICT)
            return err;
        if (err != CM_OK)
            return cm_rpc_fail(w, err, "the message could not be queued");
        cm_info("message %s queued (%s, %s)", id, m->channel, m->kind);
        return CM_OK;
    }
    err = store_email_log_begin(w->pg, &row);
    if (err == CM_ECONFLICT)
        return err;
    if (err != CM_OK)
        return cm_rpc_fail(w, err, "the delivery could not be recorded");
    werr = spool_write(w->cfg->spool_dir, m, id, ns, why, sizeof why);
    if (werr != CM_OK) {
        store_email_log_abort(w->pg);
        cm_warn("message %s (%s, %s) not delivered: %s", id, m->channel, m->kind, why);
        row.status = "failed";
        row.error = why;
        row.idempotency_key = "";
        if (store_email_log_add(w->pg, &row) != CM_OK)
            cm_warn("message %s: its failure could not be recorded", id);
        return cm_rpc_fail(w, werr, "the message could not be delivered");
    }
    err = delivery_event_add(w->pg, id, "sent", "", "", "");
    if (err != CM_OK)
        store_email_log_abort(w->pg);
    else
        err = store_email_log_commit(w->pg);
    if (err != CM_OK) {
        spool_remove(w->cfg->spool_dir, id, ns);
        return cm_rpc_fail(w, err, "the delivery could not be recorded");
    }
    cm_info("message %s delivered (%s, %s)", id, m->channel, m->kind);
    return CM_OK;
}

/* Records that message id to m->to was refused (address closed by a bounce). */
static cm_err refuse_suppressed(struct cm_worker *w, const struct spool_msg *m, const char *id)
{
    char created_at[SPOOL_TIME_LEN + 1];
    struct email_log_rec row =
        log_row(m, id, created_at, "suppressed", "the address bounced permanently", "");

    spool_rfc3339(spool_now_ns(), created_at);
    if (store_email_log_add(w->pg, &row) != CM_OK)
        cm_warn("message %s: its refusal could not be recorded", id);
    cm_info("message %s not sent (%s): the address is suppressed after a permanent bounce", id,
            m->kind);
    return cm_rpc_fail(w, CM_ECONFLICT,
                       "the address is suppressed after a permanent bounce until it is cleared");
}

/* The variables of in as a template_vars over arrays the caller frees. */
static void vars_of(const Messaging__DeliverRequest *in, struct template_vars *v,
                    const char ***names, const char ***values)
{
    *names = cm_xcalloc(in->n_variables + 1, sizeof **names);
    *values = cm_xcalloc(in->n_variables + 1, sizeof **values);
    for (size_t i = 0; i < in->n_variables; i++) {
        (*names)[i] = in->variables[i]->key ? in->variables[i]->key : "";
        (*values)[i] = in->variables[i]->value ? in->variables[i]->value : "";
    }
    v->n = in->n_variables;
    v->names = *names;
    v->values = *values;
}

/* In an SMS, each value that is an http(s) URL is replaced by a short link
 * to it, made for the message's organization; the new texts are kept in
 * *links (n_variables entries, caller links_free). */
static cm_err shorten_urls(struct cm_worker *w, const Messaging__DeliverRequest *in,
                           const char **values, char ***links)
{
    char scheme[6], netloc[SHORT_MAX_NETLOC + 1], path[SHORT_MAX_PATH + 1], url[600];
    struct short_link_fields f = {cm_uuid_valid(in->organization_id) ? in->organization_id : NULL,
                                  scheme, netloc, path, NULL};
    cm_err err = CM_OK;

    *links = cm_xcalloc(in->n_variables + 1, sizeof **links);
    for (size_t i = 0; i < in->n_variables && err == CM_OK; i++) {
        struct short_link_list l = {0, NULL, NULL};
        if (short_link_split(values[i], scheme, netloc, path) != 0)
            continue;
        err = store_short_link_insert(w->pg, &f, &l);
        if (err != CM_OK)
            break;
        short_link_url(w->cfg->short_link_base, l.items[0].code, url, sizeof url);
        store_short_link_list_free(&l);
        (*links)[i] = cm_xstrdup(url);
        values[i] = (*links)[i];
    }
    return err;
}

static void links_free(char **links, size_t n)
{
    for (size_t i = 0; links && i < n; i++)
        free(links[i]);
    free(links);
}

/* Fills m from in, composing from a template when in names one (the
 * rendered texts go to *c, caller compose_release). */
static cm_err message_of(struct cm_worker *w, const Messaging__DeliverRequest *in,
                         struct spool_msg *m, struct compose_out *c)
{
    struct compose_in ci;
    const char **names = NULL, **values = NULL;
    char **links = NULL, why[256];
    cm_err err;

    memset(c, 0, sizeof *c);
    m->channel = in->channel;
    m->to = in->to;
    m->subject = in->subject;
    m->body = in->body;
    m->kind = in->kind[0] ? in->kind : in->template_type;
    m->organization_id = in->organization_id;
    m->format = "txt";
    if (!in->template_type[0])
        return CM_OK;
    if (strcmp(in->channel, "email") && strcmp(in->channel, "sms"))
        return cm_rpc_fail(w, CM_EINVAL, "channel must be email or sms");
    ci.channel = in->channel;
    ci.type = in->template_type;
    ci.locale = in->locale;
    ci.organization_id = in->organization_id;
    ci.theme_id = in->theme_id;
    vars_of(in, &ci.vars, &names, &values);
    err = compose_check(&ci, why, sizeof why);
    if (err == CM_OK && !strcmp(in->channel, "sms") &&
        shorten_urls(w, in, values, &links) != CM_OK) {
        snprintf(why, sizeof why, "a short link could not be made");
        err = CM_EUNAVAIL;
    }
    if (err == CM_OK && ci.organization_id[0] && !cm_uuid_valid(ci.organization_id)) {
        snprintf(why, sizeof why, "organization_id must be a uuid or empty");
        err = CM_EINVAL;
    }
    if (err == CM_OK)
        err = compose(w->pg, &ci, c, why, sizeof why);
    free(names);
    free(values);
    links_free(links, in->n_variables);
    if (err != CM_OK)
        return cm_rpc_fail(w, err, "%s", why);
    m->subject = c->subject;
    m->body = c->body;
    m->format = c->format;
    return CM_OK;
}

cm_err rpc_deliver(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                   size_t *out_len)
{
    Messaging__DeliverRequest *in;
    Messaging__DeliverReply out = MESSAGING__DELIVER_REPLY__INIT;
    struct spool_msg m;
    struct compose_out c = {NULL, NULL, NULL, NULL};
    char id[SPOOL_UUID_LEN + 1], why[128];
    int suppressed = 0;
    cm_err err;

    in = messaging__deliver_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed DeliverRequest");
    spool_uuid(id);
    err = CM_OK;
    if (strlen(in->idempotency_key) > MAX_IDEMPOTENCY_KEY)
        err = cm_rpc_fail(w, CM_EINVAL, "idempotency_key is longer than %d bytes",
                          MAX_IDEMPOTENCY_KEY);
    /* a request served before answers its first message, and makes nothing
     * (no rendering, no short links) */
    if (err == CM_OK && in->idempotency_key[0]) {
        err = store_email_log_find_sent(w->pg, in->idempotency_key, in->to, id);
        if (err == CM_OK)
            out.repeated = 1;
        else if (err == CM_ENOTFOUND)
            err = CM_OK;
        else
            err = cm_rpc_fail(w, err, "the delivery log could not be read");
    }
    if (err == CM_OK && !out.repeated)
        err = message_of(w, in, &m, &c);
    if (err == CM_OK && !out.repeated) {
        err = spool_validate(&m, why, sizeof why);
        if (err != CM_OK)
            err = cm_rpc_fail(w, err, "%s", why);
    }
    if (err == CM_OK && !out.repeated && !strcmp(m.channel, "email")) {
        err = store_address_suppressed(w->pg, m.to, &suppressed);
        if (err != CM_OK)
            err = cm_rpc_fail(w, err, "the delivery log could not be read");
        else if (suppressed)
            err = refuse_suppressed(w, &m, id);
    }
    if (err == CM_OK && !out.repeated) {
        err = deliver(w, &m, id, in->idempotency_key);
        if (err == CM_ECONFLICT) { /* the same request, at the same time, won */
            err = store_email_log_find_sent(w->pg, in->idempotency_key, m.to, id);
            out.repeated = err == CM_OK;
            if (err != CM_OK)
                err = cm_rpc_fail(w, err, "the delivery could not be recorded");
        }
    }
    compose_release(&c);
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
    return deliver(w, m, id, NULL); /* no key: each call is its own send */
}
