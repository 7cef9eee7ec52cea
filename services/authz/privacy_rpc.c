/* privacy_rpc.c: the typed RPCs privacy asks authz (authz.proto, "for
 * privacy"): authz.rpc.PrivacyGroups, PrivacyParticipant and
 * PrivacyUserGroups. Privacy names care groups by number and participants
 * by an external id; authz owns both. Callers are services: the ids come
 * from their own checked principal. */
#include <stdlib.h>
#include <string.h>

#include "authz.pb-c.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "handlers.h"
#include "privacy_rpc.h"
#include "store_privacy.h"

/* Packs recs (n) as a PrivacyGroupsReply into *out_payload. */
static void pack_groups(const struct privacy_group_rec *recs, size_t n, uint8_t **out_payload,
                        size_t *out_len)
{
    Authz__PrivacyGroupsReply reply = AUTHZ__PRIVACY_GROUPS_REPLY__INIT;
    Authz__PrivacyGroup *g = calloc(n ? n : 1, sizeof *g);
    Authz__PrivacyGroup **gp = calloc(n ? n : 1, sizeof *gp);

    if (!g || !gp)
        abort(); /* the one OOM policy (cm_alloc.h) */
    for (size_t i = 0; i < n; i++) {
        authz__privacy_group__init(&g[i]);
        g[i].group_id = (char *)recs[i].group_id;
        g[i].organization_id = (char *)recs[i].organization_id;
        g[i].number = recs[i].number;
        g[i].name = (char *)recs[i].name;
        gp[i] = &g[i];
    }
    reply.n_groups = n;
    reply.groups = gp;
    *out_payload = cm_pack(&reply.base, out_len);
    free(gp);
    free(g);
}

cm_err authz_rpc_privacy_groups(struct cm_worker *w, const Envelope__RpcRequest *req,
                                uint8_t **out_payload, size_t *out_len)
{
    Authz__PrivacyGroupsRequest *in =
        authz__privacy_groups_request__unpack(NULL, req->payload.len, req->payload.data);
    struct privacy_group_rec *recs = NULL;
    size_t n = 0;
    cm_err err;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a PrivacyGroupsRequest");
    if (!cm_uuid_valid(in->organization_id) || in->number < 0)
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id must be a uuid, number >= 0");
    else
        err = store_privacy_groups(w->pg, in->organization_id, in->number, &recs, &n);
    if (err == CM_OK)
        pack_groups(recs, n, out_payload, out_len);
    free(recs);
    authz__privacy_groups_request__free_unpacked(in, NULL);
    return err;
}

cm_err authz_rpc_privacy_participant(struct cm_worker *w, const Envelope__RpcRequest *req,
                                     uint8_t **out_payload, size_t *out_len)
{
    Authz__PrivacyParticipantRequest *in =
        authz__privacy_participant_request__unpack(NULL, req->payload.len, req->payload.data);
    Authz__PrivacyParticipantReply reply = AUTHZ__PRIVACY_PARTICIPANT_REPLY__INIT;
    char user_id[40];
    cm_err err;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a PrivacyParticipantRequest");
    if (!cm_uuid_valid(in->organization_id) || !in->external_id[0] ||
        strlen(in->external_id) > 255)
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id must be a uuid, external_id 1..255");
    else
        err = store_privacy_participant(w->pg, in->organization_id, in->external_id, user_id);
    if (err == CM_OK) {
        reply.user_id = user_id;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    authz__privacy_participant_request__free_unpacked(in, NULL);
    return err;
}

cm_err authz_rpc_privacy_user_groups(struct cm_worker *w, const Envelope__RpcRequest *req,
                                     uint8_t **out_payload, size_t *out_len)
{
    Authz__PrivacyUserGroupsRequest *in =
        authz__privacy_user_groups_request__unpack(NULL, req->payload.len, req->payload.data);
    struct privacy_group_rec *recs = NULL;
    size_t n = 0;
    cm_err err;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a PrivacyUserGroupsRequest");
    if (!cm_uuid_valid(in->user_id))
        err = cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid");
    else
        err = store_privacy_user_groups(w->pg, in->user_id, &recs, &n);
    if (err == CM_OK)
        pack_groups(recs, n, out_payload, out_len);
    free(recs);
    authz__privacy_user_groups_request__free_unpacked(in, NULL);
    return err;
}
