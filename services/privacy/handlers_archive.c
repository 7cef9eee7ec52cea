/* handlers_archive.c: archive requests (#6-#8). A person asks for an
 * individual's records to be archived, re-authenticating with their
 * password (identity), when they may write that individual (authz:
 * "individual:I:write", e.g. their own); the request opens an interview
 * whose questions are answered through answer (archive.h: questions and
 * states). Only the person who asked reads and answers it; the platform
 * admin reads every one. Others get 404, as if it did not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "archive_json.h"
#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "peers.h"
#include "store_archive.h"

#define TYPE "archive-requests"

/* Access: a person (user token), not an API client. */
static cm_err person(struct cm_req *rq, const char **out_user)
{
    return cm_principal_require_person(rq, "a person's own token is required", out_user);
}

cm_err archive_requests_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"individual-id", "password", NULL};
    const char *user = NULL, *pw = NULL;
    char ind[40] = "", query[80], email[256], username[256];
    json_t *doc = NULL, *attrs;
    int allow = 0;
    struct archive_rec rec;
    cm_err err = person(rq, &user);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, "/data/attributes", "individual-id", 1, ind);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "password", 1, 0, 1024, &pw);
    if (err == CM_OK) {
        snprintf(query, sizeof query, "individual:%s:write", ind);
        err = peers_check(rq->w, user, query, &allow);
    }
    if (err == CM_OK && !allow)
        err = cm_fail_at(rq, CM_ENOTFOUND, "/data/attributes/individual-id", NULL,
                         "no such individual");
    if (err == CM_OK) {
        err = peers_verify_password(rq->w, user, pw, email, username);
        if (err == CM_EDENIED)
            cm_fail_at(rq, err, "/data/attributes/password", NULL, "the password is wrong");
    }
    if (err == CM_OK)
        err = store_archive_create(rq->w->pg, user, email, ind, &rec);
    json_decref(doc);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, cm_jsonapi_doc(archive_json(&rec)));
    return err;
}

cm_err archive_requests_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[individual-id]", "page[limit]", "page[offset]",
                                        NULL};
    char ind[40] = "";
    long limit = 100, offset = 0;
    struct archive_rec *recs = NULL;
    size_t n = 0;
    json_t *list;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[individual-id]", ind);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err == CM_OK)
        err = store_archive_list(rq->w->pg,
                                 cm_principal_platform_admin(rq) ? NULL
                                                                 : cm_principal_of(rq)->user_id,
                                 ind[0] ? ind : NULL, limit, offset, &recs, &n);
    if (err != CM_OK)
        return err;
    list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, archive_json(&recs[i]));
    free(recs);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(list));
    return CM_OK;
}

cm_err archive_requests_answer(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id"), *user = NULL, *value = NULL;
    char q[40] = "", interview[40] = "", ind[40] = "", msg[128];
    json_t *body = NULL;
    int which = 0;
    struct archive_rec rec;
    cm_err err = person(rq, &user);

    /* additional properties are allowed (the seed says so): NULL = any */
    if (err == CM_OK && !cm_uuid_valid(id))
        err = cm_fail(rq, CM_ENOTFOUND, "no such archive request");
    if (err == CM_OK) {
        err = store_archive_get(rq->w->pg, id, &rec);
        if (err == CM_ENOTFOUND || (err == CM_OK && strcmp(rec.created_by, user)))
            err = cm_fail(rq, CM_ENOTFOUND, "no such archive request");
    }
    if (err == CM_OK)
        err = cm_req_json_object(rq, NULL, &body);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "value", 1, 0, 255, &value);
    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "question-id", 1, q);
    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "interview-id", 0, interview);
    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "individual-id", 0, ind);
    if (err == CM_OK && interview[0] && strcmp(interview, rec.interview_id))
        err = cm_fail_at(rq, CM_EINVAL, "/interview-id", NULL, "not this request's interview");
    if (err == CM_OK && ind[0] && strcmp(ind, rec.individual_id))
        err = cm_fail_at(rq, CM_EINVAL, "/individual-id", NULL, "not this request's individual");
    if (err == CM_OK && archive_answer_check(q, value, &which, msg, sizeof msg) != CM_OK)
        err = cm_fail_at(rq, CM_EINVAL, which == 1 ? "/question-id" : "/value", NULL, "%s", msg);
    if (err == CM_OK) {
        err = store_archive_answer(rq->w->pg, id, q, value, &rec);
        if (err == CM_ECONFLICT)
            cm_fail(rq, err, "the interview is over (request-state %s)", rec.request_state);
    }
    json_decref(body);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, json_object());
    return err;
}
