/* agreements.c: the service-document gate of sign-up, and the typed RPCs
 * identity asks at login, refresh and #152 (agreements.h). */
#include "agreements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_pg.h"
#include "doc_json.h"
#include "onboarding.pb-c.h"
#include "onboarding_events.h"
#include "store_documents.h"

#define POINTER "/service-document-agreements"

cm_err agreements_sign_up_gate(struct cm_req *rq, struct cm_resp *out, const char *organization_id,
                               const char *agreements_json, int *refused)
{
    struct doc_list l = {0};
    char orgs[64];
    cm_err err;

    *refused = 0;
    if (agreements_json) { /* uuids only */
        json_t *a = json_loads(agreements_json, 0, NULL), *v;
        size_t i;
        json_array_foreach(a, i, v)
        {
            if (!cm_uuid_valid(json_string_value(v))) {
                char ptr[64];
                json_decref(a);
                snprintf(ptr, sizeof ptr, POINTER "/%zu", i);
                return cm_fail_at(rq, CM_EINVAL, ptr, NULL,
                                  "service-document-agreements must hold uuids");
            }
        }
        json_decref(a);
    }
    snprintf(orgs, sizeof orgs, "[\"%s\"]", organization_id); /* a uuid read from our table */
    err = store_docs_missing(rq->w->pg, NULL, orgs, agreements_json ? agreements_json : "[]", &l);
    if (err != CM_OK)
        return cm_fail(rq, err, "the service documents could not be read, retry later");
    if (l.n > 0) {
        *refused = 1;
        cm_resp_json(out, rq, 403, doc_agreements_refusal(&l, POINTER));
    }
    store_doc_list_free(&l);
    return CM_OK;
}

/* store_agreements_add and, when some are new, their "agreed" event, in
 * one transaction. */
static cm_err add_with_event(PGconn *pg, const char *user_id, const char *ids_json,
                             char unknown[37])
{
    long added = 0;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_agreements_add(pg, user_id, ids_json, unknown, &added);
    if (err == CM_OK && added > 0)
        err = event_agreements(pg, "agreed", user_id, added);
    return cm_pg_end(pg, err);
}

cm_err agreements_record(struct cm_req *rq, const char *user_id, const char *agreements_json)
{
    char unknown[37];
    cm_err err;

    if (!agreements_json)
        return CM_OK;
    err = add_with_event(rq->w->pg, user_id, agreements_json, unknown);
    if (err != CM_OK)
        return cm_fail(rq, err, "the agreements could not be saved, retry later");
    return CM_OK;
}

/* A JSON array text of n strings (caller frees); NULL when out of memory. */
static char *json_strings(char **s, size_t n)
{
    json_t *a = json_array();
    char *text;

    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(s[i]));
    text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

/* True when every s[0..n) is a uuid. */
static int all_uuids(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!cm_uuid_valid(s[i]))
            return 0;
    return 1;
}

cm_err rpc_check_agreements(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len)
{
    Onboarding__CheckAgreementsRequest *in;
    Onboarding__CheckAgreementsReply reply = ONBOARDING__CHECK_AGREEMENTS_REPLY__INIT;
    Onboarding__ServiceDocumentRef *refs = NULL, **ptrs = NULL;
    struct doc_list l = {0};
    char *orgs = NULL, *agreed = NULL, unknown[37] = "";
    struct gated_list gated = {0};
    cm_err err = CM_OK;

    in = onboarding__check_agreements_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed CheckAgreementsRequest");
    if (!cm_uuid_valid(in->user_id) || !all_uuids(in->organization_ids, in->n_organization_ids))
        err = cm_rpc_fail(w, CM_EINVAL, "user_id and organization_ids must be uuids");
    if (err == CM_OK && !all_uuids(in->agreed_document_ids, in->n_agreed_document_ids))
        err = cm_rpc_fail(w, CM_EINVAL, "service-document-agreements must hold uuids");
    if (err == CM_OK) {
        orgs = json_strings(in->organization_ids, in->n_organization_ids);
        agreed = json_strings(in->agreed_document_ids, in->n_agreed_document_ids);
        if (!orgs || !agreed)
            err = CM_ENOMEM;
    }
    /* 1. the agreements given are recorded (idempotent) */
    if (err == CM_OK && in->n_agreed_document_ids > 0) {
        err = add_with_event(w->pg, in->user_id, agreed, unknown);
        if (err == CM_OK && unknown[0])
            cm_info("agreements of user %s: %s is no service document, skipped", in->user_id,
                    unknown);
    }
    /* 2. what is still missing */
    if (err == CM_OK)
        err = store_docs_missing(w->pg, in->user_id, orgs, "[]", &l);
    if (err == CM_OK && l.n > 0) {
        refs = calloc(l.n, sizeof *refs);
        ptrs = calloc(l.n, sizeof *ptrs);
        if (!refs || !ptrs)
            err = CM_ENOMEM;
    }
    if (err == CM_OK) {
        for (size_t i = 0; i < l.n; i++) {
            onboarding__service_document_ref__init(&refs[i]);
            refs[i].id = (char *)l.items[i].id;
            refs[i].type = (char *)l.items[i].type;
            refs[i].version = (char *)l.items[i].version;
            refs[i].title = (char *)l.items[i].title;
            refs[i].html_link = (char *)l.items[i].html_link;
            ptrs[i] = &refs[i];
        }
        reply.n_missing = l.n;
        reply.missing = ptrs;
        err = store_docs_gated(w->pg, orgs, &gated);
    }
    if (err == CM_OK) { /* 3. which of them have required documents at all */
        reply.platform_gated = gated.platform;
        reply.n_gated_organization_ids = gated.n;
        reply.gated_organization_ids = gated.org_ids;
        reply.gates_reported = 1;
    }
    if (err == CM_OK)
        *out_payload = cm_pack(&reply.base, out_len);
    store_gated_list_free(&gated);
    free(refs);
    free(ptrs);
    store_doc_list_free(&l);
    free(orgs);
    free(agreed);
    onboarding__check_agreements_request__free_unpacked(in, NULL);
    return err;
}

cm_err rpc_delete_agreements(struct cm_worker *w, const Envelope__RpcRequest *req,
                             uint8_t **out_payload, size_t *out_len)
{
    Onboarding__DeleteAgreementsRequest *in;
    Onboarding__DeleteAgreementsReply reply = ONBOARDING__DELETE_AGREEMENTS_REPLY__INIT;
    long deleted = 0;
    cm_err err = CM_OK;

    in = onboarding__delete_agreements_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed DeleteAgreementsRequest");
    if (!cm_uuid_valid(in->user_id))
        err = cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid");
    if (err == CM_OK)
        err = cm_pg_begin(w->pg);
    if (err == CM_OK) {
        err = store_agreements_delete(w->pg, in->user_id, &deleted);
        if (err == CM_OK && deleted > 0)
            err = event_agreements(w->pg, "deleted", in->user_id, deleted);
        err = cm_pg_end(w->pg, err);
    }
    if (err == CM_OK) {
        reply.deleted = deleted;
        *out_payload = cm_pack(&reply.base, out_len);
        cm_info("service document agreements of user %s deleted (%ld)", in->user_id, deleted);
    }
    onboarding__delete_agreements_request__free_unpacked(in, NULL);
    return err;
}
