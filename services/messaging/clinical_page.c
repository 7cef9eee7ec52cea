/* clinical_page.c: POST page (clinical_page.h): input → pager directory →
 * one thread per person reached, its message rendered from delivery's
 * "page" template → answer. Each thread commits on its own
 * (with its events); a failure part-way answers the error, and the threads
 * made before it stay. */
#include "clinical_page.h"

#include <stdlib.h>
#include <string.h>

#include "clinical_body.h"
#include "clinical_caller.h"
#include "clinical_directory.h"
#include "clinical_templates.h"
#include "clinical_threads_input.h"
#include "store_pagers.h"
#include "store_threads.h"

#define PAGE_SUBJECT "Page"

/* A thread "Page" from the client c to person u carrying message (the text
 * rendered from the organization's "page" template or the default). */
static cm_err page_one(struct cm_req *rq, const struct clinical_caller *c, const char *ou,
                       const struct clinical_user *u, const char *message, json_t *out)
{
    const char *names[3] = {"sender_name", "message", "organization_name"};
    const char *values[3] = {c->id, message, ou};
    struct compose_out text = {NULL, NULL, NULL, NULL};
    struct participant_rec creator, rcpt;
    struct thread_new t = {0};
    char thread_id[ST_ID], message_id[ST_ID];
    cm_err err;

    ct_client_rec(c, ou, &creator);
    ct_person_rec(u, ou, &rcpt);
    t.organization_id = c->org;
    t.ou = ou;
    t.subject = PAGE_SUBJECT;
    t.phi_key_id = "";
    t.pid = "";
    t.patient_event_id = "";
    t.urgent = 1;
    t.services_json = "[]";
    t.creator = &creator;
    t.recipients = &rcpt;
    t.n_recipients = 1;
    t.attachments_json = "[]";
    err = clinical_render(rq->w->pg, "sms", CLINICAL_TPL_PAGE, c->org, names, values, 3, &text);
    if (err == CM_OK) {
        t.content = text.body;
        err = store_thread_create(rq->w->pg, &t, thread_id, message_id);
    }
    compose_release(&text);
    if (err != CM_OK)
        return cm_fail(rq, err, "the page could not be sent");
    json_array_append_new(
        out, json_pack("{s:s, s:s}", "message_id", message_id, "thread_id", thread_id));
    return CM_OK;
}

cm_err page_relay(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller c;
    struct page_in in;
    struct pager_targets *targets = NULL;
    struct clinical_users dir = {0};
    const char *ids[PAGER_MAX_TARGETS];
    json_t *params = NULL, *reason = NULL, *sent = NULL;
    cm_err err = clinical_caller_get(rq, CLINICAL_CALLER_API, &c);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err != CM_OK)
        return err;
    if (page_input_read(params, &in, &reason) != CM_OK && in.pager_number[0]) {
        json_decref(params);
        clinical_reply_invalid(rq, out, reason);
        return CM_OK;
    }
    json_decref(reason);
    if (!in.pager_number[0]) {
        json_decref(params);
        return cm_fail(rq, CM_EINVAL, "No pager number provided");
    }
    targets = calloc(1, sizeof *targets);
    if (!targets)
        abort(); /* out of memory: cm_xmalloc's policy */
    err = pager_directory_lookup(rq->w->pg, c.org, in.pager_number, targets);
    if (err == CM_ENOTFOUND)
        err = cm_fail(rq, err, "pager [%.64s] not found", in.pager_number);
    else if (err != CM_OK)
        err = cm_fail(rq, err, "the pager could not be read");
    for (size_t i = 0; err == CM_OK && i < targets->n; i++)
        ids[i] = targets->user_ids[i];
    if (err == CM_OK)
        err = clinical_users_find_ids(rq, c.org, ids, targets->n, &dir);
    sent = json_array();
    for (size_t i = 0; err == CM_OK && i < targets->n; i++) {
        const struct clinical_user *u = clinical_users_by_id(&dir, targets->user_ids[i]);
        if (u && u->enabled)
            err = page_one(rq, &c, dir.org_name, u, in.message, sent);
    }
    if (err == CM_OK && json_array_size(sent) == 0)
        err = cm_fail(rq, CM_ENOTFOUND, "pager [%.64s] reaches nobody", in.pager_number);
    if (err == CM_OK && !targets->service)
        cm_resp_json(out, rq, 200,
                     json_pack("{s:s, s:O, s:O}", "status", "ok", "message_id",
                               json_object_get(json_array_get(sent, 0), "message_id"), "thread_id",
                               json_object_get(json_array_get(sent, 0), "thread_id")));
    else if (err == CM_OK)
        cm_resp_json(out, rq, 200, json_pack("{s:s, s:O}", "status", "ok", "messages", sent));
    json_decref(sent);
    clinical_users_release(&dir);
    free(targets);
    json_decref(params);
    return err;
}
