/* privacy_notice.c: asks privacy whether a check-in carries the privacy
 * notice (privacy_notice.h). */
#include "privacy_notice.h"

#include <stdlib.h>

#include "cm_log.h"
#include "cm_peer.h"
#include "privacy.pb-c.h"

/* names (n) as a new JSON array. */
static json_t *names_json(char **names, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(names[i]));
    return a;
}

#define PRIVACY_NOTICE_TIMEOUT_MS 300

json_t *privacy_notice_for(struct cm_worker *w, const char *user_id)
{
    static const char subject[] = "privacy.rpc.CheckInNotice";
    Privacy__CheckInNoticeRequest req = PRIVACY__CHECK_IN_NOTICE_REQUEST__INIT;
    Privacy__CheckInNoticeReply *r = NULL;
    Envelope__RpcReply *reply = NULL;
    json_t *notice = NULL;
    cm_err err;

    req.user_id = (char *)user_id;
    /* optional: a privacy outage costs the check-in at most this */
    err = cm_peer_call_within(w, subject, &req.base, PRIVACY_NOTICE_TIMEOUT_MS, &reply, NULL, 0);
    if (err != CM_OK) {
        cm_warn("rpc %s: %s (check-in goes on without the notice)", subject, cm_err_name(err));
        return NULL;
    }
    r = privacy__check_in_notice_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    if (!r)
        cm_warn("rpc %s answered a malformed reply (check-in goes on without the notice)",
                subject);
    else if (r->due)
        notice = json_pack("{s:s,s:s,s:o,s:o}", "code", "review-privacy-settings", "detail",
                           r->message, "requested-privacy-level",
                           names_json(r->requested_levels, r->n_requested_levels),
                           "privacy-level", names_json(r->levels, r->n_levels));
    privacy__check_in_notice_reply__free_unpacked(r, NULL);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return notice;
}
