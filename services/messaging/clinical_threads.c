/* clinical_threads.c: thread/create, thread/{id}/messages, message,
 * message/{id}/contents, message/{id}/status, user/counters/{user_id}
 * (clinical_threads.h). Each reads as input → access → store → render. */
#include "clinical_threads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attachment.h"
#include "clinical_body.h"
#include "clinical_caller.h"
#include "clinical_directory.h"
#include "clinical_threads_input.h"
#include "clinical_threads_json.h"
#include "cm_jsonapi.h"
#include "messaging_state.h"
#include "store_pagers.h"
#include "store_threads.h"

#define NOT_AUTHORIZED "not authorized"

/* --- access --- */

/* May the caller see thread t? An API client of its organization, or a
 * person of that organization who takes part. Unknown looks the same. */
static cm_err thread_access(struct cm_req *rq, const struct clinical_caller *c,
                            const struct thread_rec *t)
{
    if (strcmp(t->organization_id, c->org) != 0 || (c->person && !t->viewer_participant))
        return cm_fail(rq, CM_EDENIED, NOT_AUTHORIZED);
    return CM_OK;
}

/* Thread id as the caller may see it (t released by the caller on CM_OK). */
static cm_err thread_for(struct cm_req *rq, const struct clinical_caller *c, const char *id,
                         struct thread_rec *t)
{
    cm_err err;

    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_EDENIED, NOT_AUTHORIZED);
    err = store_thread_get(rq->w->pg, id, c->id, t);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, CM_EDENIED, NOT_AUTHORIZED);
    if (err != CM_OK)
        return cm_fail(rq, err, "the thread could not be read");
    err = thread_access(rq, c, t);
    if (err != CM_OK)
        thread_rec_release(t);
    return err;
}

/* Message id as the caller may see it, with its thread. */
static cm_err message_for(struct cm_req *rq, const struct clinical_caller *c, const char *id,
                          struct message_rec *m, struct thread_rec *t)
{
    cm_err err;

    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_EDENIED, NOT_AUTHORIZED);
    err = store_message_get(rq->w->pg, id, c->id, m, t);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, CM_EDENIED, NOT_AUTHORIZED);
    if (err != CM_OK)
        return cm_fail(rq, err, "the message could not be read");
    err = thread_access(rq, c, t);
    if (err != CM_OK) {
        message_rec_release(m);
        thread_rec_release(t);
    }
    return err;
}

/* The thread's patient name, opened ("" when none or it does not open). */
static char *patient_name_of(struct cm_req *rq, const struct thread_rec *t)
{
    char *clear = NULL;
    size_t len = 0;

    if (!t->patient_box || phi_open(&messaging_state_of(rq)->phi, t->phi_key_id, t->patient_box,
                                    t->patient_box_len, &clear, &len) != CM_OK)
        return strdup("");
    return clear;
}

/* --- thread/create --- */

/* Answers 400 {"status":"error","message":message,"recipients_error":bad}
 * (steals bad). */
static cm_err recipients_refused(struct cm_req *rq, struct cm_resp *out, const char *message,
                                 json_t *bad)
{
    cm_resp_json(out, rq, 400,
                 json_pack("{s:s, s:s, s:o}", "status", "error", "message", message,
                           "recipients_error", bad));
    return CM_OK;
}

/* Looks the recipients and sender up; fills creator (the sender when it is
 * an enabled account of the organization, else the API client) and
 * recipients (n) and the ok / error lists. */
static cm_err resolve_people(struct cm_req *rq, const struct clinical_caller *c,
                             const struct thread_create_in *in, struct clinical_users *dir,
                             struct participant_rec *creator, struct participant_rec *rcpt,
                             size_t *n, json_t *ok, json_t *bad)
{
    const char *emails[CT_MAX_RECIPIENTS + 1];
    size_t ne = 0;
    cm_err err;

    for (size_t i = 0; i < in->recipients.n; i++)
        emails[ne++] = in->recipients.items[i];
    if (in->sender[0])
        emails[ne++] = in->sender;
    err = clinical_users_find(rq, c->org, "", emails, ne, NULL, 0, dir);
    if (err != CM_OK)
        return err;
    ct_client_rec(c, dir->org_name, creator);
    if (in->sender[0]) { /* the seed: "if it corresponds to a valid account" */
        const struct clinical_user *s = clinical_users_by_email(dir, in->sender);
        if (s && s->enabled)
            ct_person_rec(s, dir->org_name, creator);
    }
    *n = 0;
    for (size_t i = 0; i < in->recipients.n; i++) {
        const struct clinical_user *u = clinical_users_by_email(dir, in->recipients.items[i]);

        if (u && u->enabled) {
            ct_person_rec(u, dir->org_name, &rcpt[(*n)++]);
            json_array_append_new(ok, json_string(in->recipients.items[i]));
        } else
            json_array_append_new(bad, json_string(in->recipients.items[i]));
    }
    return CM_OK;
}

/* Adds the enabled members of each of in's services to rcpt (n, at most
 * CT_MAX_PEOPLE; not twice), their emails to ok; a service reaching nobody
 * goes to bad. */
static cm_err add_services(struct cm_req *rq, const struct clinical_caller *c,
                           const struct thread_create_in *in, const char *ou,
                           struct participant_rec *rcpt, size_t *n, json_t *ok, json_t *bad)
{
    struct pager_targets *members = calloc(1, sizeof *members);
    const char *ids[PAGER_MAX_TARGETS];
    cm_err err = CM_OK;

    if (!members)
        abort(); /* out of memory: cm_xmalloc's policy */
    for (size_t s = 0; err == CM_OK && s < in->services.n; s++) {
        struct clinical_users dir = {0};
        size_t added = 0;

        err = pager_directory_service(rq->w->pg, c->org, in->services.items[s], members);
        if (err != CM_OK) {
            err = cm_fail(rq, err, "the services could not be read");
            break;
        }
        for (size_t i = 0; i < members->n; i++)
            ids[i] = members->user_ids[i];
        if (members->n)
            err = clinical_users_find_ids(rq, c->org, ids, members->n, &dir);
        for (size_t i = 0; err == CM_OK && i < dir.n; i++) {
            int dup = 0;

            if (!dir.items[i].enabled)
                continue;
            for (size_t k = 0; k < *n && !dup; k++)
                dup = !strcmp(rcpt[k].user_id, dir.items[i].id);
            added++;
            if (dup)
                continue;
            if (*n >= CT_MAX_PEOPLE) {
                err = cm_fail(rq, CM_EINVAL, "too many recipients (at most %d)", CT_MAX_PEOPLE);
                break;
            }
            ct_person_rec(&dir.items[i], ou, &rcpt[(*n)++]);
            json_array_append_new(ok, json_string(dir.items[i].email));
        }
        clinical_users_release(&dir);
        if (err == CM_OK && added == 0)
            json_array_append_new(bad, json_string(in->services.items[s]));
    }
    free(members);
    return err;
}

/* ids as a JSON array text into *out_json (caller frees) when each is an
 * attachment of organization org; else answers 400 with the seed's
 * reason {"attachment_ids": "Unknown attachment ids: a, b"} (*answered
 * set, *out_json NULL). */
static cm_err attachments_checked(struct cm_req *rq, struct cm_resp *out, const char *org,
                                  const struct ct_list *ids, char **out_json, int *answered)
{
    char *json = ct_list_json(ids), *unknown = NULL;
    cm_err err = CM_OK;

    *answered = 0;
    *out_json = NULL;
    if (ids->n > 0)
        err = store_attachments_unknown(rq->w->pg, org, json, &unknown);
    if (err != CM_OK) {
        free(json);
        return cm_fail(rq, err, "the attachments could not be read");
    }
    if (unknown && strcmp(unknown, "[]")) {
        json_t *list = json_loads(unknown, 0, NULL), *e;
        char text[CT_FIELD_MAX * 2] = "Unknown attachment ids: ";
        size_t i;

        json_array_foreach(list, i, e)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", i ? ", " : "",
                     json_string_value(e));
        json_decref(list);
        free(json);
        free(unknown);
        *answered = 1;
        clinical_reply_invalid(rq, out, json_pack("{s:s}", "attachment_ids", text));
        return CM_OK;
    }
    free(unknown);
    *out_json = json;
    return CM_OK;
}

cm_err thread_create(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller c;
    struct thread_create_in in;
    struct clinical_users dir = {0};
    struct participant_rec creator, *rcpt = NULL;
    struct thread_new t = {0};
    json_t *params = NULL, *reason = NULL, *ok = NULL, *bad = NULL;
    char thread_id[ST_ID], message_id[ST_ID], key_id[PHI_KEY_ID_MAX] = "";
    char *services = NULL, *attachments = NULL;
    uint8_t *box = NULL;
    size_t n = 0;
    int is_json = 0, answered = 0;
    cm_err err;

    err = clinical_caller_get(rq, CLINICAL_CALLER_API, &c);
    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err != CM_OK)
        return err;
    is_json = clinical_body_is_json(rq);
    if (thread_create_input_read(params, is_json, &in, &reason) != CM_OK) {
        clinical_reply_invalid(rq, out, reason);
        err = CM_OK;
        reason = NULL;
        goto done;
    }
    err = attachments_checked(rq, out, c.org, &in.attachment_ids, &attachments, &answered);
    if (err != CM_OK || answered)
        goto done;
    ok = json_array();
    bad = json_array();
    rcpt = calloc(CT_MAX_PEOPLE, sizeof *rcpt);
    if (!rcpt)
        abort(); /* out of memory: cm_xmalloc's policy */
    err = resolve_people(rq, &c, &in, &dir, &creator, rcpt, &n, ok, bad);
    if (err == CM_OK)
        err = add_services(rq, &c, &in, dir.org_name, rcpt, &n, ok, bad);
    if (err != CM_OK)
        goto done;
    if (in.strict && json_array_size(bad)) {
        err = recipients_refused(rq, out, "Invalid recipients", bad);
        bad = NULL;
        goto done;
    }
    if (n == 0) {
        err = recipients_refused(rq, out, "No valid recipients", bad);
        bad = NULL;
        goto done;
    }
    if (in.patient_name[0])
        box = phi_seal(&messaging_state_of(rq)->phi, in.patient_name, strlen(in.patient_name),
                       key_id);
    services = ct_list_json(&in.services);
    t.organization_id = c.org;
    t.ou = dir.org_name;
    t.subject = in.subject;
    t.phi_key_id = key_id;
    t.patient_box = box;
    t.patient_box_len = box ? strlen(in.patient_name) + PHI_BOX_OVERHEAD : 0;
    t.pid = in.pid;
    t.patient_event_id = in.patient_event_id;
    t.urgent = in.urgent;
    t.services_json = services;
    t.creator = &creator;
    t.recipients = rcpt;
    t.n_recipients = n;
    t.content = in.message;
    t.attachments_json = attachments;
    err = store_thread_create(rq->w->pg, &t, thread_id, message_id);
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the thread could not be created");
        goto done;
    }
    cm_resp_json(out, rq, 200,
                 json_pack("{s:s, s:s, s:s, s:O, s:O}", "status", "ok", "thread_id", thread_id,
                           "message_id", message_id, "recipients_ok", ok, "recipients_error", bad));
done:
    json_decref(params);
    json_decref(reason);
    json_decref(ok);
    json_decref(bad);
    clinical_users_release(&dir);
    free(rcpt);
    free(box);
    free(services);
    free(attachments);
    return err;
}

/* --- thread/{id}/messages --- */

cm_err thread_messages(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller c;
    struct thread_rec t;
    struct thread_view v;
    char *name;
    cm_err err = clinical_caller_get(rq, 0, &c);

    if (err == CM_OK)
        err = thread_for(rq, &c, cm_req_param(rq, "thread_id"), &t);
    if (err != CM_OK)
        return err;
    err = store_thread_view(rq->w->pg, &t, c.person ? c.id : NULL, &v);
    if (err != CM_OK) {
        thread_rec_release(&t);
        return cm_fail(rq, err, "the thread could not be read");
    }
    /* PHI: the thread's persons see it; an API client only with view-phi */
    name = c.person || c.view_phi ? patient_name_of(rq, &t) : strdup("");
    v.thread = t; /* shallow: t keeps ownership */
    cm_resp_json(out, rq, 200, ct_json_thread_view(&v, name));
    free(name);
    thread_view_release(&v);
    thread_rec_release(&t);
    return CM_OK;
}

/* --- message --- */

cm_err message_post(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller c;
    struct message_post_in in;
    struct thread_rec t;
    struct participant_rec author;
    json_t *params = NULL, *reason = NULL;
    char message_id[ST_ID], *attachments = NULL;
    int answered = 0;
    cm_err err = clinical_caller_get(rq, 0, &c);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err != CM_OK)
        return err;
    if (message_post_input_read(params, &in, &reason) != CM_OK) {
        json_decref(params);
        clinical_reply_invalid(rq, out, reason);
        return CM_OK;
    }
    err = thread_for(rq, &c, in.thread_id, &t);
    if (err != CM_OK) {
        json_decref(params);
        return err;
    }
    if (c.person)
        err = store_participant_get(rq->w->pg, t.id, c.id, &author);
    else
        ct_client_rec(&c, t.ou, &author);
    if (err != CM_OK)
        err = cm_fail(rq, err == CM_ENOTFOUND ? CM_EDENIED : err, NOT_AUTHORIZED);
    if (err == CM_OK)
        err = attachments_checked(rq, out, t.organization_id, &in.attachment_ids, &attachments,
                                  &answered);
    if (err == CM_OK && !answered)
        err = store_message_post(rq->w->pg, &t, &author, in.message, attachments, message_id, NULL);
    if (err == CM_OK && !answered)
        cm_resp_json(out, rq, 200,
                     json_pack("{s:s, s:s}", "status", "ok", "message_id", message_id));
    else if (err != CM_OK && !rq->detail[0])
        err = cm_fail(rq, err, "the message could not be posted");
    free(attachments);
    thread_rec_release(&t);
    json_decref(params);
    return err;
}

/* --- message/{id}/contents and /status --- */

cm_err message_contents(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller c;
    struct message_rec m;
    struct thread_rec t;
    struct participant_rec author;
    int have_author;
    cm_err err = clinical_caller_get(rq, 0, &c);

    if (err == CM_OK)
        err = message_for(rq, &c, cm_req_param(rq, "message_id"), &m, &t);
    if (err != CM_OK)
        return err;
    if (c.person)
        err = store_message_mark_read(rq->w->pg, &t, &m, c.id);
    have_author =
        err == CM_OK && store_participant_get(rq->w->pg, t.id, m.author_id, &author) == CM_OK;
    if (err == CM_OK)
        cm_resp_json(out, rq, 200,
                     ct_json_message_contents(&m, have_author ? &author : NULL, t.ou));
    else
        err = cm_fail(rq, err, "the message could not be read");
    message_rec_release(&m);
    thread_rec_release(&t);
    return err;
}

cm_err message_status(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller c;
    struct message_rec m;
    struct thread_rec t;
    struct receipt_list l = {0};
    cm_err err = clinical_caller_get(rq, 0, &c);

    if (err == CM_OK)
        err = message_for(rq, &c, cm_req_param(rq, "message_id"), &m, &t);
    if (err != CM_OK)
        return err;
    err = store_message_receipts(rq->w->pg, m.id, &l);
    if (err == CM_OK)
        cm_resp_json(out, rq, 200, ct_json_statuses(&l));
    else
        err = cm_fail(rq, err, "the statuses could not be read");
    receipt_list_release(&l);
    message_rec_release(&m);
    thread_rec_release(&t);
    return err;
}

/* --- user/counters/{user_id | ou:user_id} (user_id: a username or an account id) --- */

/* The account uid names in the caller's organization, and the
 * organization's name: from the short-lived memory (clinical_user_cache.h), else from identity (then remembered).
 * CM_ENOTFOUND (not recorded) when uid names nobody there. */
static cm_err counters_user(struct cm_req *rq, const struct clinical_caller *c, const char *uid,
                            char *id, char *ou)
{
    const struct messaging_state *st = messaging_state_of(rq);
    struct clinical_users dir = {0};
    const struct clinical_user *u;
    int by_id = cm_uuid_valid(uid);
    cm_err err;

    if (clinical_user_cache_get(st->users, c->org, uid, id, ou))
        return CM_OK;
    if (by_id)
        err = clinical_users_find_ids(rq, c->org, &uid, 1, &dir);
    else
        err = clinical_users_find(rq, c->org, "", NULL, 0, &uid, 1, &dir);
    if (err != CM_OK)
        return err;
    u = by_id ? clinical_users_by_id(&dir, uid) : clinical_users_by_username(&dir, uid);
    if (u) {
        snprintf(id, CLINICAL_ID_MAX, "%s", u->id);
        snprintf(ou, CLINICAL_NAME_MAX, "%s", dir.org_name);
        clinical_user_cache_put(st->users, c->org, uid, id, ou);
    }
    clinical_users_release(&dir);
    return u ? CM_OK : CM_ENOTFOUND;
}

cm_err user_counters(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller c;
    struct counters_rec n;
    const char *uid = cm_req_param(rq, "user_id"), *colon, *username;
    char ou[CLINICAL_NAME_MAX] = "", id[CLINICAL_ID_MAX], dir_ou[CLINICAL_NAME_MAX];
    cm_err err = clinical_caller_get(rq, 0, &c);

    if (err != CM_OK)
        return err;
    if (!uid || !uid[0] || strlen(uid) > CT_FIELD_MAX)
        return cm_fail(rq, CM_EINVAL, "user_id is required");
    colon = strrchr(uid, ':');
    username = colon ? colon + 1 : uid;
    if (colon)
        snprintf(ou, sizeof ou, "%.*s", (int)(colon - uid), uid);
    /* the seed's user ID: the username, or the account's id; a person's own
     * id needs no lookup */
    if (c.person && !colon && !strcmp(username, c.id)) {
        snprintf(id, sizeof id, "%s", c.id);
        err = CM_OK;
    } else {
        err = counters_user(rq, &c, username, id, dir_ou);
    }
    if (err == CM_ENOTFOUND || (err == CM_OK && colon && strcmp(ou, dir_ou) != 0))
        return cm_fail(rq, CM_ENOTFOUND, "user [%.200s] not found", uid);
    if (err != CM_OK)
        return err;
    if (c.person && strcmp(id, c.id) != 0)
        return cm_fail(rq, CM_EDENIED, NOT_AUTHORIZED);
    err = store_counters(rq->w->pg, c.org, id, &n);
    if (err != CM_OK)
        return cm_fail(rq, err, "the counters could not be read");
    cm_resp_json(out, rq, 200, ct_json_counters(&n));
    return CM_OK;
}
