/* clinical_threads_json.c: answers of the clinical thread and message
 * operations (clinical_threads_json.h). */
#include "clinical_threads_json.h"

#include <stdio.h>
#include <string.h>

static json_t *user_json(const struct participant_rec *p, const char *ou)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "email", p->email, "id", p->user_id, "primary_ou", ou,
                     "user_id", p->username);
}

static json_t *message_json(const struct message_rec *m)
{
    json_t *att = json_loads(m->attachments_json ? m->attachments_json : "[]", 0, NULL);

    return json_pack("{s:s, s:s, s:i, s:s, s:s, s:o}", "content", m->content ? m->content : "",
                     "id", m->id, "seq", m->seq, "time_created", m->created_at, "user_id",
                     m->author_id, "attachment_ids", att ? att : json_array());
}

json_t *ct_json_thread_view(const struct thread_view *v, const char *patient_name)
{
    const struct thread_rec *t = &v->thread;
    json_t *msgs = json_array(), *users = json_array();

    for (size_t i = 0; i < v->n_messages; i++)
        json_array_append_new(msgs, message_json(&v->messages[i]));
    for (size_t i = 0; i < v->n_participants; i++)
        json_array_append_new(users, user_json(&v->participants[i], t->ou));
    return json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:o}, s:o}", "status", "ok",
                     "thread", "id", t->id, "subject", t->subject ? t->subject : "", "patient_name",
                     patient_name, "pid", t->pid, "patient_event_id", t->patient_event_id, "urgent",
                     t->urgent, "user_id", t->creator_id, "time_created", t->created_at, "messages",
                     msgs, "users", users);
}

json_t *ct_json_message_contents(const struct message_rec *m, const struct participant_rec *author,
                                 const char *ou)
{
    struct participant_rec unknown;
    json_t *msg = message_json(m);

    if (!author) {
        memset(&unknown, 0, sizeof unknown);
        snprintf(unknown.user_id, sizeof unknown.user_id, "%s", m->author_id);
        author = &unknown;
    }
    json_object_set_new(msg, "thread_id", json_string(m->thread_id));
    return json_pack("{s:s, s:o, s:o}", "status", "ok", "message", msg, "user",
                     user_json(author, ou));
}

json_t *ct_json_statuses(const struct receipt_list *l)
{
    json_t *a = json_array();

    for (size_t i = 0; i < l->n; i++) {
        const struct receipt_rec *r = &l->items[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "status",
                                           r->read_at[0] ? "read" : "unread", "user",
                                           r->email[0] ? r->email : r->username, "user_id",
                                           r->username, "time_read", r->read_at));
    }
    return json_pack("{s:s, s:o}", "status", "ok", "statuses", a);
}

json_t *ct_json_counters(const struct counters_rec *c)
{
    return json_pack("{s:s, s:{s:I, s:I}, s:{s:I, s:I}}", "status", "ok", "unseen", "msg",
                     (json_int_t)c->unseen_msg, "ctn", (json_int_t)c->unseen_ctn, "unread", "msg",
                     (json_int_t)c->unread_msg, "ctn", (json_int_t)c->unread_ctn);
}
