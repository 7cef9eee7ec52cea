/* handlers_bounces.c: messaging.rpc.ReportBounce and ClearBounce
 * (handlers_deliver.h): how bounce reports come in. Whatever receives the
 * SMTP server's delivery status notifications (or a provider's bounce
 * webhook) calls ReportBounce; a "Permanent" bounce closes the address
 * until ClearBounce (the clinical API's bounced_emails) opens it again. */
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "handlers_deliver.h"
#include "messaging.pb-c.h"
#include "spool.h"
#include "store_email_logs.h"

#define MAX_SUBTYPE 64

static int known_type(const char *t)
{
    return !strcmp(t, "Permanent") || !strcmp(t, "Transient") || !strcmp(t, "Undetermined");
}

/* An address as spool_validate checks an email recipient; why on failure. */
static cm_err check_address(const char *address, char *why, size_t whylen)
{
    struct spool_msg m = {"email", address, "", "", "bounce", "", NULL};
    return spool_validate(&m, why, whylen);
}

cm_err rpc_report_bounce(struct cm_worker *w, const Envelope__RpcRequest *req,
                         uint8_t **out_payload, size_t *out_len)
{
    Messaging__ReportBounceRequest *in;
    Messaging__ReportBounceReply out = MESSAGING__REPORT_BOUNCE_REPLY__INIT;
    char id[SPOOL_UUID_LEN + 1], created_at[SPOOL_TIME_LEN + 1], why[128];
    struct email_log_rec row;
    int permanent;
    cm_err err;

    in = messaging__report_bounce_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ReportBounceRequest");
    err = check_address(in->address, why, sizeof why);
    if (err != CM_OK)
        err = cm_rpc_fail(w, err, "address: %s", why);
    else if (!known_type(in->bounce_type))
        err = cm_rpc_fail(w, CM_EINVAL, "bounce_type must be Permanent, Transient or Undetermined");
    else if (strlen(in->bounce_subtype) > MAX_SUBTYPE)
        err = cm_rpc_fail(w, CM_EINVAL, "bounce_subtype is longer than %d bytes", MAX_SUBTYPE);
    else if (in->message_id[0] && !cm_uuid_valid(in->message_id))
        err = cm_rpc_fail(w, CM_EINVAL, "message_id must be a uuid or empty");
    if (err == CM_OK) {
        permanent = !strcmp(in->bounce_type, "Permanent");
        spool_uuid(id);
        spool_rfc3339(spool_now_ns(), created_at);
        memset(&row, 0, sizeof row);
        row.id = id;
        row.recipient = in->address;
        row.organization_id = "";
        row.created_at = created_at;
        err = store_bounce_record(w->pg, &row, in->bounce_type, in->bounce_subtype, in->message_id,
                                  permanent);
        if (err != CM_OK)
            err = cm_rpc_fail(w, err, "the bounce could not be recorded");
        else
            cm_info("bounce %s recorded (%s)", id, in->bounce_type);
        out.suppressed = permanent;
    }
    messaging__report_bounce_request__free_unpacked(in, NULL);
    if (err != CM_OK)
        return err;
    *out_payload = cm_pack(&out.base, out_len);
    return CM_OK;
}

cm_err rpc_clear_bounce(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                        size_t *out_len)
{
    Messaging__ClearBounceRequest *in;
    Messaging__ClearBounceReply out = MESSAGING__CLEAR_BOUNCE_REPLY__INIT;
    char why[128];
    int was = 0;
    cm_err err;

    in = messaging__clear_bounce_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ClearBounceRequest");
    err = check_address(in->address, why, sizeof why);
    if (err != CM_OK)
        err = cm_rpc_fail(w, err, "address: %s", why);
    else if ((err = store_bounce_clear(w->pg, in->address, &was)) != CM_OK)
        err = cm_rpc_fail(w, err, "the address could not be cleared");
    messaging__clear_bounce_request__free_unpacked(in, NULL);
    if (err != CM_OK)
        return err;
    out.was_suppressed = was;
    *out_payload = cm_pack(&out.base, out_len);
    return CM_OK;
}
