/* handlers_replication.c: user-replications (#144, #145), replicators
 * (#115, #116) and their typed RPCs (replication.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "cm_principal.h"
#include "handlers.h"
#include "identity.pb-c.h"
#include "replication.h"
#include "replication_json.h"
#include "store_replication.h"
#include "store_users.h"

#define ATTR "/data/attributes"

cm_err replication_on_user_created(PGconn *pg, const char *user_id)
{
    return store_replication_fan_out(pg, user_id);
}

/* 404 (on parameter) unless the caller may see user's replications: the
 * platform admin, the user, an admin of the caller's current organization
 * the user belongs to. */
static cm_err may_read(struct cm_req *rq, const char *user, const char *parameter)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    struct user_target t;
    cm_err err;

    if (cm_principal_platform_admin(rq) || cm_principal_is_self(rq, user))
        return CM_OK;
    if (cm_principal_org_admin(rq, p->organization_id)) {
        err = store_user_target(rq->w->pg, user, p->organization_id, "", &t);
        if (err == CM_OK && t.in_org)
            return CM_OK;
        if (err != CM_OK && err != CM_ENOTFOUND)
            return err;
    }
    return cm_fail_at(rq, CM_ENOTFOUND, NULL, parameter, "no such user");
}

cm_err replications_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"page[limit]", "page[offset]", "user-id", NULL};
    char user[CM_UUID_LEN + 1];
    long limit, offset;
    struct replication_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "user-id", user);
    if (err == CM_OK && !user[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "user-id", "user-id is required");
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err == CM_OK)
        err = may_read(rq, user, "user-id");
    if (err == CM_OK)
        err = store_replications_list(rq->w->pg, user, limit, offset, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(replication_json_list(&res)));
    store_replication_list_free(&res);
    return CM_OK;
}

cm_err replications_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"service", "user-id", NULL};
    char user[CM_UUID_LEN + 1];
    const char *service = NULL;
    struct replication_list res = {0};
    json_t *doc = NULL, *attrs;
    int created = 0;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && !cm_principal_platform_admin(rq))
        err = cm_fail(rq, CM_EDENIED,
                      "only the platform admin (or a service, over "
                      "identity.rpc.RecordUserReplication) records replicas");
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "user-replications", NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "user-id", 1, user);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "service", 1, 0, 63, &service);
    if (err == CM_OK) {
        err = store_replication_add(rq->w->pg, user, service, &res, &created);
        if (err == CM_ENOTFOUND)
            err = cm_fail_at(rq, err, ATTR, NULL, "no such user or replicator");
    }
    json_decref(doc);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(replication_json_resource(&res.items[0])));
    store_replication_list_free(&res);
    return CM_OK;
}

/* 403 unless the platform admin (replicators are the suite's plumbing). */
static cm_err require_platform(struct cm_req *rq)
{
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && !cm_principal_platform_admin(rq))
        err = cm_fail(rq, CM_EDENIED, "only the platform admin reads replicators");
    return err;
}

cm_err replicators_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {NULL};
    struct replicator_list res = {0};
    cm_err err = require_platform(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = store_replicators_list(rq->w->pg, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(replicator_json_list(&res)));
    store_replicator_list_free(&res);
    return CM_OK;
}

cm_err replicators_read(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    struct replicator_list res = {0};
    cm_err err = require_platform(rq);

    if (err == CM_OK)
        err = id && cm_uuid_valid(id) ? store_replicator_get(rq->w->pg, id, &res) : CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such replicator");
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(replicator_json_resource(&res.items[0])));
    store_replicator_list_free(&res);
    return CM_OK;
}

cm_err rpc_list_user_replications(struct cm_worker *w, const Envelope__RpcRequest *req,
                                  uint8_t **out_payload, size_t *out_len)
{
    Identity__ListUserReplicationsRequest *in;
    Identity__ListUserReplicationsReply reply = IDENTITY__LIST_USER_REPLICATIONS_REPLY__INIT;
    struct replication_list res = {0};
    char **names = NULL;
    cm_err err;

    in =
        identity__list_user_replications_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ListUserReplicationsRequest");
    err = cm_uuid_valid(in->user_id) ? store_replications_list(w->pg, in->user_id, 0, 0, &res)
                                     : cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid");
    identity__list_user_replications_request__free_unpacked(in, NULL);
    if (err != CM_OK)
        return err;
    names = cm_xmalloc(sizeof *names * (res.n ? res.n : 1));
    for (size_t i = 0; i < res.n; i++)
        names[i] = (char *)res.items[i].service;
    reply.n_services = res.n;
    reply.services = names;
    *out_payload = cm_pack(&reply.base, out_len);
    free(names);
    store_replication_list_free(&res);
    return CM_OK;
}

cm_err rpc_record_user_replication(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len)
{
    Identity__RecordUserReplicationRequest *in;
    Identity__RecordUserReplicationReply reply = IDENTITY__RECORD_USER_REPLICATION_REPLY__INIT;
    struct replication_list res = {0};
    int created = 0;
    cm_err err;

    in = identity__record_user_replication_request__unpack(NULL, req->payload.len,
                                                           req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed RecordUserReplicationRequest");
    err = cm_uuid_valid(in->user_id)
              ? store_replication_add(w->pg, in->user_id, in->service, &res, &created)
              : cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid");
    identity__record_user_replication_request__free_unpacked(in, NULL);
    if (err == CM_ENOTFOUND)
        return cm_rpc_fail(w, err, "no such user or replicator");
    if (err != CM_OK)
        return err;
    reply.created = created;
    *out_payload = cm_pack(&reply.base, out_len);
    store_replication_list_free(&res);
    return CM_OK;
}
