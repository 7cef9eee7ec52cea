/* features_rpc.c: identity.rpc.GetFeatures (features.h): the feature flags
 * in effect for a user in an organization, for other services. Reads the
 * database on every call: nothing is cached, so a write is seen by the next
 * call. */
#include <stdio.h>
#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "features.h"
#include "features_resolve.h"
#include "handlers.h"
#include "identity.pb-c.h"
#include "store_features.h"

cm_err rpc_get_features(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                        size_t *out_len)
{
    Identity__GetFeaturesRequest *in;
    Identity__GetFeaturesReply reply = IDENTITY__GET_FEATURES_REPLY__INIT;
    Identity__FeatureState *states = NULL, **ptrs = NULL;
    struct feature_query q = {.assignable = -1};
    struct feature_list res = {0};
    struct org_list o = {0};
    cm_err err = CM_OK;

    in = identity__get_features_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed GetFeaturesRequest");
    if ((!in->user_id[0] && !in->organization_id[0]) ||
        (in->user_id[0] && !cm_uuid_valid(in->user_id)) ||
        (in->organization_id[0] && !cm_uuid_valid(in->organization_id)))
        err = cm_rpc_fail(w, CM_EINVAL, "user_id and/or organization_id (uuids) are required");
    else if (in->user_id[0]) {
        err = store_feature_subject(w->pg, in->user_id, in->organization_id, q.org);
        snprintf(q.user, sizeof q.user, "%s", in->user_id);
        if (err == CM_ENOTFOUND)
            err = cm_rpc_fail(w, err, "no such user (in that organization)");
    } else {
        err = store_org_get(w->pg, in->organization_id, NULL, &o);
        store_org_list_free(&o);
        snprintf(q.org, sizeof q.org, "%s", in->organization_id);
        if (err == CM_ENOTFOUND)
            err = cm_rpc_fail(w, err, "no such organization");
    }
    identity__get_features_request__free_unpacked(in, NULL);
    if (err == CM_OK)
        err = store_features_list(w->pg, &q, &res);
    if (err != CM_OK)
        return err;
    if (res.n) {
        states = cm_xmalloc(sizeof *states * res.n);
        ptrs = cm_xmalloc(sizeof *ptrs * res.n);
    }
    for (size_t i = 0; i < res.n; i++) {
        identity__feature_state__init(&states[i]);
        states[i].id = (char *)res.items[i].id;
        states[i].enabled = features_enabled(&res.items[i]);
        ptrs[i] = &states[i];
    }
    reply.n_features = res.n;
    reply.features = ptrs;
    reply.organization_id = q.org;
    *out_payload = cm_pack(&reply.base, out_len);
    free(states);
    free(ptrs);
    store_feature_list_free(&res);
    return CM_OK;
}
