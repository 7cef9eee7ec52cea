/* handlers_deletion.c: deletion requests (#18-#21). A person asks for
 * their own deletion, re-authenticating with their password (identity
 * checks it); the request is recorded with one pending step per service
 * and the saga (saga.h) runs it. Reads: the person while the request runs,
 * the platform admin always; unknown and forbidden are the same 404. The
 * list needs user-email and shows only what the caller may read.
 * update-status (#21) marks a step done by its reference-id, for the
 * platform admin (an external replica reporting). */
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "deletion_json.h"
#include "handlers.h"
#include "peers.h"
#include "saga.h"
#include "store_deletion.h"

#define TYPE "deletion-requests"

/* Access: the caller may read rec. */
static int may_read(struct cm_req *rq, const struct deletion_rec *rec)
{
    return cm_principal_platform_admin(rq) ||
           (rec->user_id[0] && cm_principal_is_self(rq, rec->user_id));
}

cm_err deletion_requests_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"user-id", "password", "archive", "type", NULL};
    const char *pw = NULL, *type = NULL;
    char user[40] = "", email[256], username[256];
    const char *needles[3], *apps[DELETION_STEPS_MAX + 1];
    char replicas[DELETION_STEPS_MAX][64];
    size_t nrep = 0;
    json_t *doc = NULL, *attrs;
    int archive = 0;
    struct deletion_rec *rec = NULL;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, "/data/attributes", "user-id", 1, user);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "password", 1, 0, 1024, &pw);
    if (err == CM_OK)
        err = cm_json_bool(rq, attrs, "/data/attributes", "archive", 0, 0, &archive);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "type", 0, 0, 16, &type);
    if (err == CM_OK && type && strcmp(type, "indv"))
        err = cm_fail_at(rq, CM_EINVAL, "/data/attributes/type", NULL,
                         "type must be \"indv\" (an individual)");
    /* access: only the person themselves asks for their deletion */
    if (err == CM_OK && !cm_principal_is_self(rq, user))
        err = cm_fail_at(rq, CM_ENOTFOUND, "/data/attributes/user-id", NULL, "no such user");
    if (err == CM_OK) {
        err = peers_verify_password(rq->w, user, pw, email, username);
        if (err == CM_EDENIED)
            cm_fail_at(rq, err, "/data/attributes/password", NULL, "the password is wrong");
    }
    /* the replicas identity knows of (user-replications): one step each */
    if (err == CM_OK)
        err = peers_user_replications(rq->w, user, replicas, DELETION_STEPS_MAX - 8, &nrep);
    if (err == CM_OK) {
        size_t n = 0;
        saga_steps_with(replicas, nrep, apps, DELETION_STEPS_MAX + 1);
        needles[n++] = user;
        if (email[0])
            needles[n++] = email;
        if (username[0] && strcmp(username, email))
            needles[n++] = username;
        rec = malloc(sizeof *rec);
        if (!rec)
            err = CM_ENOMEM;
        else
            err = store_deletion_create(rq->w->pg, user, email, needles, n, archive,
                                        type ? type : "indv", apps, rec);
        if (err == CM_ECONFLICT)
            cm_fail_at(rq, err, "/data/attributes/user-id", NULL,
                       "a deletion request of this user is already running");
    }
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, cm_jsonapi_doc(deletion_json(rec)));
    free(rec);
    json_decref(doc);
    return err;
}

cm_err deletion_requests_read(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    struct deletion_rec *rec;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (!cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such deletion request");
    rec = malloc(sizeof *rec);
    if (!rec)
        return CM_ENOMEM;
    err = store_deletion_get(rq->w->pg, id, rec);
    if (err == CM_ENOTFOUND || (err == CM_OK && !may_read(rq, rec)))
        err = cm_fail(rq, CM_ENOTFOUND, "no such deletion request");
    if (err == CM_OK)
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(deletion_json(rec)));
    free(rec);
    return err;
}

cm_err deletion_requests_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"user-email", "page[limit]", "page[offset]", NULL};
    char email[256 * 4 + 1];
    long limit = 100, offset = 0;
    struct deletion_rec *recs = NULL;
    size_t n = 0;
    json_t *list;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_text(rq, "user-email", 255, email, sizeof email);
    if (err == CM_OK && !email[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "user-email", "user-email is required");
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err == CM_OK)
        err = store_deletion_by_email(rq->w->pg, email,
                                      cm_principal_platform_admin(rq)
                                          ? NULL
                                          : cm_principal_of(rq)->user_id,
                                      limit, offset, &recs, &n);
    if (err != CM_OK)
        return err;
    list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, deletion_json(&recs[i]));
    free(recs);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(list));
    return CM_OK;
}

cm_err deletion_requests_update_status(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"reference-id", "state", NULL};
    const char *id = cm_req_param(rq, "id"), *state = NULL;
    char ref[40] = "";
    json_t *body = NULL;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && !cm_principal_platform_admin(rq))
        err = cm_fail(rq, CM_ENOTFOUND, "no such deletion request");
    if (err == CM_OK && !cm_uuid_valid(id))
        err = cm_fail(rq, CM_ENOTFOUND, "no such deletion request");
    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, &body);
    if (err == CM_OK)
        err = cm_json_uuid(rq, body, "", "reference-id", 1, ref);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "state", 1, 0, 16, &state);
    if (err == CM_OK && strcmp(state, "done"))
        err = cm_fail_at(rq, CM_EINVAL, "/state", NULL, "state must be \"done\"");
    if (err == CM_OK) {
        err = store_deletion_step_done(rq->w->pg, id, ref);
        if (err == CM_ENOTFOUND)
            cm_fail_at(rq, err, "/reference-id", NULL, "no such step of this request");
    }
    json_decref(body);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, json_object());
    return err;
}
