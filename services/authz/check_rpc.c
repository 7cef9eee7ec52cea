/* check_rpc.c: the typed RPCs authz.rpc.Check and authz.rpc.CheckBatch that
 * the other services call for their own access decisions, answered from the
 * in-memory access index of authz's state (authz_state.h), without a
 * statement. A user id that is not a uuid is simply not allowed, like an
 * unknown one. */
#include <stdio.h>
#include <stdlib.h>

#include "authz.pb-c.h"
#include "authz_state.h"
#include "cm_nats.h"
#include "handlers_access.h"

#define BATCH_MAX 256 /* checks in one CheckBatch */

/* Decides one CheckRequest from the index. CM_EINVAL with a detail on w
 * for a bad query. */
static cm_err check_one(struct cm_worker *w, const Authz__CheckRequest *in, int *out_allow)
{
    struct access_queries *qs;
    char err_text[160];
    size_t bad;
    cm_err err;

    if (!cm_uuid_valid(in->user_id)) {
        *out_allow = 0;
        return CM_OK;
    }
    qs = malloc(sizeof *qs);
    if (!qs)
        return CM_ENOMEM;
    err = access_queries_parse((const char *const *)in->access_queries, in->n_access_queries, qs,
                               &bad, err_text, sizeof err_text);
    if (err != CM_OK) {
        if (bad < in->n_access_queries)
            err = cm_rpc_fail(w, CM_EINVAL, "access_queries[%zu]: %s", bad, err_text);
        else
            err = cm_rpc_fail(w, CM_EINVAL, "%s", err_text);
    } else {
        err = access_index_check(authz_index_of(w), in->user_id, qs->q, qs->n, out_allow);
    }
    free(qs);
    return err;
}

cm_err authz_rpc_check(struct cm_worker *w, const Envelope__RpcRequest *req,
                       uint8_t **out_payload, size_t *out_len)
{
    Authz__CheckReply reply = AUTHZ__CHECK_REPLY__INIT;
    Authz__CheckRequest *in =
        authz__check_request__unpack(NULL, req->payload.len, req->payload.data);
    int allow = 0;
    cm_err err;
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a CheckRequest");
    err = check_one(w, in, &allow);
    if (err == CM_OK) {
        reply.allow = allow;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    authz__check_request__free_unpacked(in, NULL);
    return err;
}

cm_err authz_rpc_check_batch(struct cm_worker *w, const Envelope__RpcRequest *req,
                             uint8_t **out_payload, size_t *out_len)
{
    Authz__CheckBatchReply reply = AUTHZ__CHECK_BATCH_REPLY__INIT;
    Authz__CheckReply *results = NULL, **ptrs = NULL;
    Authz__CheckBatchRequest *in =
        authz__check_batch_request__unpack(NULL, req->payload.len, req->payload.data);
    cm_err err = CM_OK;
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a CheckBatchRequest");
    if (in->n_checks > BATCH_MAX) {
        err = cm_rpc_fail(w, CM_EINVAL, "at most %d checks in one batch", BATCH_MAX);
        goto done;
    }
    results = calloc(in->n_checks ? in->n_checks : 1, sizeof *results);
    ptrs = calloc(in->n_checks ? in->n_checks : 1, sizeof *ptrs);
    if (!results || !ptrs) {
        err = CM_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < in->n_checks && err == CM_OK; i++) {
        int allow = 0;
        authz__check_reply__init(&results[i]);
        err = check_one(w, in->checks[i], &allow);
        if (err == CM_EINVAL) { /* name the check at fault */
            char detail[sizeof w->rpc_detail];
            snprintf(detail, sizeof detail, "%s", w->rpc_detail);
            err = cm_rpc_fail(w, CM_EINVAL, "checks[%zu]: %.200s", i, detail);
        }
        results[i].allow = allow;
        ptrs[i] = &results[i];
    }
    if (err == CM_OK) {
        reply.n_results = in->n_checks;
        reply.results = ptrs;
        *out_payload = cm_pack(&reply.base, out_len);
    }
done:
    free(ptrs);
    free(results);
    authz__check_batch_request__free_unpacked(in, NULL);
    return err;
}
