/* clinical_patients.c: patients and subscriptions of the clinical API
 * (clinical_patients.h): input → access → seal → store → render. */
#include "clinical_patients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clinical_body.h"
#include "clinical_caller.h"
#include "clinical_directory.h"
#include "clinical_ou.h"
#include "clinical_patients_input.h"
#include "messaging_state.h"
#include "store_patients.h"

/* The caller (an API client), its parameters and its organization's OU
 * name (clinical_ou), with primary_ou checked against it. */
static cm_err begin(struct cm_req *rq, struct clinical_caller *c, json_t **params, char *ou, size_t oucap)
{
    const char *primary;
    cm_err err = clinical_caller_get(rq, CLINICAL_CALLER_API, c);

    if (err == CM_OK)
        err = clinical_params(rq, params);
    if (err != CM_OK)
        return err;
    primary = patient_primary_ou(*params);
    if (!primary) {
        json_decref(*params);
        return cm_fail(rq, CM_EINVAL, "primary_ou must be a string");
    }
    err = clinical_ou_by_id(rq->w, c->org, &c->ou); /* after the 400s above */
    if (err == CM_ENOTFOUND)
        err = cm_fail(rq, CM_EDENIED, "not authorized");
    else if (err != CM_OK)
        err = cm_fail(rq, err, "identity is unavailable, retry later");
    if (err == CM_OK && primary[0] && strcmp(primary, c->ou.name) != 0)
        err = cm_fail(rq, CM_EDENIED, "not authorized");
    if (err == CM_OK)
        snprintf(ou, oucap, "%s", c->ou.name);
    if (err != CM_OK)
        json_decref(*params);
    return err;
}

static void today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* POST patients and PUT patients/{pid}. */
static cm_err put_patient(struct cm_req *rq, struct cm_resp *out, const char *path_pid)
{
    struct clinical_caller c;
    json_t *params = NULL, *record = NULL, *reason = NULL, *doc;
    char ou[CLINICAL_NAME_MAX], key_id[PHI_KEY_ID_MAX], day[11];
    const char *pid;
    uint8_t *box;
    char *clear;
    size_t len;
    cm_err err = begin(rq, &c, &params, ou, sizeof ou);

    if (err != CM_OK)
        return err;
    today(day);
    if (patient_input_read(params, path_pid, ou, day, &record, &reason) != CM_OK) {
        json_decref(params);
        clinical_reply_invalid(rq, out, reason);
        return CM_OK;
    }
    json_decref(params);
    pid = json_string_value(json_object_get(record, "pid"));
    clear = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS);
    if (!clear)
        abort(); /* out of memory: cm_xmalloc's policy */
    len = strlen(clear);
    box = phi_seal(&messaging_state_of(rq)->phi, clear, len, key_id);
    free(clear);
    err = store_patient_put(rq->w->pg, c.org, pid, key_id, box, len + PHI_BOX_OVERHEAD,
                            path_pid != NULL, NULL);
    free(box);
    if (err == CM_ENOTFOUND)
        err = cm_fail(rq, err, "patient [%.200s] not found", pid);
    else if (err != CM_OK)
        err = cm_fail(rq, err, "the patient could not be stored");
    if (err == CM_OK) {
        doc = json_pack("{s:s}", "status", "ok");
        if (c.view_phi) {
            json_object_set_new(record, "primary_ou", json_string(ou));
            json_object_set(doc, "patient", record);
        }
        cm_resp_json(out, rq, 200, doc);
    }
    json_decref(record);
    return err;
}

cm_err patients_upsert(struct cm_req *rq, struct cm_resp *out)
{
    return put_patient(rq, out, NULL);
}

cm_err patients_update(struct cm_req *rq, struct cm_resp *out)
{
    const char *pid = cm_req_param(rq, "pid");

    if (!pid || !pid[0])
        return cm_fail(rq, CM_EINVAL, "pid is required");
    return put_patient(rq, out, pid);
}

cm_err patients_subscribe(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller c;
    json_t *params = NULL, *sub = NULL, *reason = NULL;
    const char *pid = cm_req_param(rq, "pid");
    char ou[CLINICAL_NAME_MAX], *tags, *consents;
    cm_err err;

    if (!pid || !pid[0])
        return cm_fail(rq, CM_EINVAL, "pid is required");
    err = begin(rq, &c, &params, ou, sizeof ou);
    if (err != CM_OK)
        return err;
    if (subscription_input_read(params, &sub, &reason) != CM_OK) {
        json_decref(params);
        clinical_reply_invalid(rq, out, reason);
        return CM_OK;
    }
    json_decref(params);
    tags = json_dumps(json_object_get(sub, "tags"), JSON_COMPACT);
    consents = json_dumps(json_object_get(sub, "consents"), JSON_COMPACT);
    if (!tags || !consents)
        abort(); /* out of memory: cm_xmalloc's policy */
    err = store_subscription_put(rq->w->pg, c.org, pid,
                                 json_string_value(json_object_get(sub, "sid")), tags, consents,
                                 json_is_true(json_object_get(sub, "enabled")));
    free(tags);
    free(consents);
    json_decref(sub);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "patient [%.200s] not found", pid);
    if (err != CM_OK)
        return cm_fail(rq, err, "the subscription could not be stored");
    cm_resp_json(out, rq, 200, json_pack("{s:s}", "status", "ok"));
    return CM_OK;
}
