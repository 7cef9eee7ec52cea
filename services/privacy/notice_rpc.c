/* notice_rpc.c: privacy.rpc.CheckInNotice (privacy.proto): whether a
 * participant's check-in should ask them to review their privacy settings,
 * from their care groups (authz) and the requests and settings kept here. */
#include <stdlib.h>

#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "handlers.h"
#include "levels.h"
#include "peers.h"
#include "privacy.pb-c.h"
#include "store_levels.h"

#define NOTICE_TEXT                                                                                \
    "Your care team has requested a higher privacy level than the one you set. "                 \
    "Please review your privacy settings; you are not required to change them."

/* The names of mask into names (room for 2), their count returned. */
static size_t level_names(int mask, char **names)
{
    size_t n = 0;
    if (mask & LEVEL_MHCI)
        names[n++] = "mhci";
    if (mask & LEVEL_TRANSCRIPT)
        names[n++] = "transcript";
    return n;
}

cm_err privacy_rpc_check_in_notice(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len)
{
    Privacy__CheckInNoticeRequest *in =
        privacy__check_in_notice_request__unpack(NULL, req->payload.len, req->payload.data);
    Privacy__CheckInNoticeReply reply = PRIVACY__CHECK_IN_NOTICE_REPLY__INIT;
    char *requested[2], *set[2];
    struct peer_group *g = NULL;
    size_t n = 0;
    struct standing st = {0};
    cm_err err;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a CheckInNoticeRequest");
    if (!cm_uuid_valid(in->user_id))
        err = cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid");
    else
        err = peers_user_groups(w, in->user_id, &g, &n);
    if (err == CM_OK)
        err = store_standing(w->pg, in->user_id, g, n, &st);
    if (err == CM_OK) {
        reply.due = st.notice;
        reply.message = st.notice ? NOTICE_TEXT : "";
        reply.n_requested_levels = level_names(st.requested, requested);
        reply.requested_levels = requested;
        reply.n_levels = level_names(st.set, set);
        reply.levels = set;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    free(g);
    privacy__check_in_notice_request__free_unpacked(in, NULL);
    return err;
}
