/* handlers_status.c: GET /v1/authz-user-status/{id}/ (#14) and
 * authz.rpc.Repopulate (handlers_status.h): the freshness of authz's
 * projection of identity and of this copy's access index, and the
 * projection's repair on demand. */
#include "handlers_status.h"

#include <string.h>

#include "authz.pb-c.h"
#include "authz_state.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "cm_principal.h"
#include "handlers_access.h"
#include "projection.h"
#include "projection_store.h"
#include "repopulate.h"

cm_err authz_user_status(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const no_params[] = {NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    const char *id = cm_req_param(rq, "id");
    const char *org = cm_uuid_valid(p->organization_id) ? p->organization_id : "";
    struct projection_user_status st;
    int caught_up = 0;
    long long applied = 0, latest = 0;
    json_t *attrs;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, no_params);
    if (err != CM_OK)
        return err;
    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such user");
    err = projection_store_user_status(rq->w->pg, id, org, &st);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such user");
    if (err != CM_OK)
        return err;
    err = access_may_ask(rq, id, NULL, NULL); /* the same rule as the checks' user-id */
    if (err != CM_OK)
        return err;
    if (st.populated && projection_caught_up(rq->w->nc, AUTHZ_STATUS_ASK_MS, &caught_up) != CM_OK)
        caught_up = 0; /* JetStream cannot say: not known to be up to date */
    /* this copy's access index against the change log of the tables */
    applied = access_index_applied(authz_state_of(rq->w)->sync);
    err = access_index_latest(rq->w->pg, &latest);
    if (err != CM_OK)
        return err;
    attrs = json_pack("{s:o, s:o, s:b, s:I, s:I}", "last-populated-at",
                      cm_json_str_or_null(st.last_populated_at), "latest-event-at",
                      cm_json_str_or_null(st.latest_event_at), "up-to-date",
                      st.populated && caught_up && applied >= latest, "index-applied-seq",
                      (json_int_t)applied, "index-latest-seq", (json_int_t)latest);
    cm_resp_json(out, rq, 200,
                 attrs ? cm_jsonapi_doc(cm_jsonapi_resource(AUTHZ_STATUS_TYPE, id, attrs)) : NULL);
    return CM_OK;
}

cm_err rpc_repopulate(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                      size_t *out_len)
{
    Authz__RepopulateReply reply = AUTHZ__REPOPULATE_REPLY__INIT;
    Authz__RepopulateRequest *in;
    struct repopulate_result r;
    cm_err err;

    in = authz__repopulate_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed RepopulateRequest");
    authz__repopulate_request__free_unpacked(in, NULL);
    err = repopulate_run(w->pg, w->nc, w->cfg, NULL, &r);
    if (err == CM_ECONFLICT)
        return cm_rpc_fail(w, err, "a re-population is already running");
    if (err != CM_OK)
        return cm_rpc_fail(w, err, "re-population failed (%s); run it again", cm_err_name(err));
    reply.users = r.users;
    reply.skipped = r.skipped;
    reply.removed = r.removed;
    reply.last_populated_at = r.last_populated_at;
    *out_payload = cm_pack(&reply.base, out_len);
    return CM_OK;
}
