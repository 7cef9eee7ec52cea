/* agreements_check.c: login's and refresh's question to onboarding about
 * service-document agreements, and #152 (agreements_check.h). */
#include "agreements_check.h"
#include "agreements_gate.h"
#include "identity_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_peer.h"
#include "handlers_users.h"
#include "onboarding.pb-c.h"
#include "store_agreements.h"

#define POINTER "/service-document-agreements"
#define CODE "service_document_agreements_required"
#define AGREED_MAX 100

/* Sends payload to onboarding.rpc.<method> (cm_peer.h); on CM_OK *out is
 * its reply (caller frees). Failures are set in rq, except, when quiet,
 * that onboarding did not answer (CM_EUNAVAIL, *out NULL: the caller
 * decides, agreements_gate.h). */
static cm_err ask_or_quiet(struct cm_req *rq, const char *method, const ProtobufCMessage *msg,
                           Envelope__RpcReply **out, int quiet)
{
    char subject[64], detail[256];
    cm_err err;

    *out = NULL;
    snprintf(subject, sizeof subject, "onboarding.rpc.%s", method);
    err = cm_peer_call(rq->w, subject, msg, out, detail, sizeof detail);
    if (err == CM_OK)
        return CM_OK;
    if (err == CM_EUNAVAIL || err == CM_ETIMEOUT) {
        if (quiet)
            return CM_EUNAVAIL;
        return cm_fail(rq, CM_EUNAVAIL,
                       "service document agreements could not be checked, retry later");
    }
    if (err == CM_EINVAL)
        return cm_fail_at(rq, err, POINTER, NULL, "%s",
                          detail[0] ? detail : "unknown service document");
    return cm_fail(rq, err, "service document agreements could not be checked, retry later");
}

static cm_err ask(struct cm_req *rq, const char *method, const ProtobufCMessage *msg,
                  Envelope__RpcReply **out)
{
    return ask_or_quiet(rq, method, msg, out, 0);
}

/* The 403 naming the documents of r. */
static json_t *refusal(const Onboarding__CheckAgreementsReply *r)
{
    json_t *refs = json_array();
    char detail[256];
    size_t used = (size_t)snprintf(detail, sizeof detail,
                                   "agreement to the current service documents is required:");

    for (size_t i = 0; i < r->n_missing; i++) {
        const Onboarding__ServiceDocumentRef *d = r->missing[i];
        json_array_append_new(refs, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", d->id, "type",
                                              d->type, "version", d->version, "title", d->title,
                                              "html-link", d->html_link));
        if (used < sizeof detail)
            used +=
                (size_t)snprintf(detail + used, sizeof detail - used, "%s %s", i ? "," : "", d->id);
    }
    return cm_jsonapi_error_doc(403, CODE, detail, POINTER,
                                json_pack("{s:o}", "service-documents", refs));
}

cm_err agreements_check(struct cm_req *rq, struct cm_resp *out, const char *user_id,
                        const json_t *agreed, int *refused)
{
    Onboarding__CheckAgreementsRequest req = ONBOARDING__CHECK_AGREEMENTS_REQUEST__INIT;
    Onboarding__CheckAgreementsReply *r = NULL;
    struct agreements_gate *gate = identity_state_of(rq->w)->gate;
    Envelope__RpcReply *reply = NULL;
    char *orgs_text = NULL, *ids[AGREED_MAX], *orgs[AGREED_MAX];
    json_t *org_list = NULL, *item;
    size_t i, n = 0;
    cm_err err;

    *refused = 0;
    err = store_user_org_ids(rq->w->pg, user_id, &orgs_text);
    if (err != CM_OK)
        return cm_fail(rq, err, "the account could not be read, retry later");
    org_list = json_loads(orgs_text, 0, NULL);
    free(orgs_text);
    json_array_foreach(org_list, i, item)
    {
        if (n < AGREED_MAX && json_is_string(item))
            orgs[n++] = (char *)json_string_value(item);
    }
    req.user_id = (char *)user_id;
    req.organization_ids = orgs;
    req.n_organization_ids = n;
    n = 0;
    if (json_is_array(agreed))
        json_array_foreach(agreed, i, item)
        {
            if (n < AGREED_MAX && json_is_string(item))
                ids[n++] = (char *)json_string_value(item);
        }
    req.agreed_document_ids = ids;
    req.n_agreed_document_ids = n;
    err = ask_or_quiet(rq, "CheckAgreements", &req.base, &reply, 1);
    if (err == CM_EUNAVAIL && !reply) { /* onboarding did not answer */
        if (agreements_gate_open(gate, orgs, req.n_organization_ids)) {
            cm_info("onboarding did not answer; user %s has no required documents", user_id);
            json_decref(org_list);
            return CM_OK;
        }
        json_decref(org_list);
        return cm_fail(rq, CM_EUNAVAIL,
                       "service document agreements could not be checked, retry later");
    }
    if (err == CM_OK) {
        r = onboarding__check_agreements_reply__unpack(NULL, reply->payload.len,
                                                       reply->payload.data);
        if (!r)
            err = cm_fail(rq, CM_EINTERNAL, "service document agreements could not be checked");
    }
    if (r && r->gates_reported)
        agreements_gate_learn(gate, orgs, req.n_organization_ids, r->platform_gated,
                              r->gated_organization_ids, r->n_gated_organization_ids);
    if (r && r->n_missing > 0) {
        *refused = 1;
        cm_resp_json(out, rq, 403, refusal(r));
    }
    onboarding__check_agreements_reply__free_unpacked(r, NULL);
    if (reply)
        envelope__rpc_reply__free_unpacked(reply, NULL);
    json_decref(org_list);
    return err;
}

cm_err users_delete_agreements(struct cm_req *rq, struct cm_resp *out)
{
    Onboarding__DeleteAgreementsRequest req = ONBOARDING__DELETE_AGREEMENTS_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    struct users_access a;
    cm_err err = users_access(rq, &a);

    if (err == CM_OK)
        err = users_require_write(rq, &a, 1);
    if (err != CM_OK)
        return err;
    if (rq->http->body.len > 0) { /* the seed's body is {} */
        static const char *const none[] = {NULL};
        json_t *body = NULL;
        err = cm_req_json_object(rq, none, &body);
        json_decref(body);
        if (err != CM_OK)
            return err;
    }
    req.user_id = a.id;
    err = ask(rq, "DeleteAgreements", &req.base, &reply);
    if (err != CM_OK)
        return err;
    envelope__rpc_reply__free_unpacked(reply, NULL);
    users_respond_null(rq, out);
    return CM_OK;
}
