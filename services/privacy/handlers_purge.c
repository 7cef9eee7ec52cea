/* handlers_purge.c: POST /v1/purge-data/ (#110, type "system-purges"): the
 * per-entity command the deletion saga's steps are. The platform admin runs
 * one step of a running deletion request now (request-id, and the step by
 * its reference-id), for the person the request is about (entity-id = their
 * user id; entity-type "user" or "individual"). Idempotent: a step already
 * done, or a request already done, answers 201 again. When the service says
 * the step is not finished yet (identity's revocation still in its outbox),
 * 503 with Retry-After. */
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "saga.h"
#include "store_deletion.h"

/* The step of rec whose reference-id is ref, NULL when none. */
static const struct deletion_step_rec *step_of(const struct deletion_rec *rec, const char *ref)
{
    for (size_t i = 0; i < rec->nsteps; i++)
        if (!strcmp(rec->steps[i].reference_id, ref))
            return &rec->steps[i];
    return NULL;
}

cm_err purge_data(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"archive",    "entity-id", "entity-type",
                                          "reference-id", "request-id", NULL};
    static const char at[] = "/data/attributes";
    const char *entity = NULL, *etype = NULL;
    char req_id[40] = "", ref[40] = "";
    json_t *doc = NULL, *attrs;
    int archive = 0, done = 0;
    struct deletion_rec *rec = NULL;
    const struct deletion_step_rec *s = NULL;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && !cm_principal_platform_admin(rq))
        err = cm_fail(rq, CM_EDENIED, "only the platform administrator purges data");
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "system-purges", NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, at, "request-id", 1, req_id);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, at, "reference-id", 1, ref);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, at, "entity-type", 1, 0, 32, &etype);
    if (err == CM_OK && strcmp(etype, "user") && strcmp(etype, "individual"))
        err = cm_fail_at(rq, CM_EINVAL, "/data/attributes/entity-type", NULL,
                         "entity-type must be \"user\" or \"individual\"");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, at, "entity-id", 1, 0, 64, &entity);
    if (err == CM_OK)
        err = cm_json_bool(rq, attrs, at, "archive", 0, 0, &archive);
    if (err == CM_OK && !(rec = malloc(sizeof *rec)))
        err = CM_ENOMEM;
    if (err == CM_OK) {
        err = store_deletion_get(rq->w->pg, req_id, rec);
        if (err == CM_ENOTFOUND)
            cm_fail_at(rq, err, "/data/attributes/request-id", NULL, "no such deletion request");
    }
    if (err == CM_OK && !(s = step_of(rec, ref)))
        err = cm_fail_at(rq, CM_ENOTFOUND, "/data/attributes/reference-id", NULL,
                         "no such step of this request");
    if (err == CM_OK && strcmp(rec->status, "done") && strcmp(s->state, "done")) {
        if (strcmp(entity, rec->user_id))
            err = cm_fail_at(rq, CM_EINVAL, "/data/attributes/entity-id", NULL,
                             "entity-id is not the person of this request");
        if (err == CM_OK)
            err = saga_run_step(rq->w->nc, rq->w->cfg->rpc_timeout_ms, rec, s, &done);
        if (err == CM_OK && !done)
            err = cm_fail_retry(rq, CM_EUNAVAIL, 1, "the step is not finished yet; retry");
        if (err == CM_OK)
            err = store_deletion_step_done(rq->w->pg, rec->id, s->reference_id);
        if (err == CM_OK)
            err = store_deletion_finish(rq->w->pg, rec->id, &done);
    }
    free(rec);
    json_decref(doc);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, json_null());
    return err;
}
