/* test_messaging_clinical_json.c: the clinical API's answers for threads,
 * message contents, read statuses and counters, in the seed's shapes
 * (services/messaging/clinical_threads_json.c). */
// links: services/messaging/clinical_threads_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../../services/messaging/clinical_threads_json.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "(absent)";
}

Test(clinical_json, thread_view_has_the_seeds_members)
{
    struct message_rec m = {.id = "m1",
                            .thread_id = "t1",
                            .seq = 1,
                            .author_id = "api-1",
                            .content = "hey",
                            .attachments_json = "[\"a1\"]",
                            .created_at = "2015-04-02T22:42:59.848000+00:00"};
    struct participant_rec p = {
        .user_id = "u-uuid", .username = "user1", .email = "user1@example.com", .person = 1};
    struct thread_view v = {0};
    json_t *doc, *t, *msg, *u;

    snprintf(v.thread.id, sizeof v.thread.id, "t1");
    snprintf(v.thread.ou, sizeof v.thread.ou, "cureatr");
    snprintf(v.thread.creator_id, sizeof v.thread.creator_id, "api-1");
    v.thread.subject = "API integrations are the best";
    v.n_messages = 1;
    v.messages = &m;
    v.n_participants = 1;
    v.participants = &p;
    doc = ct_json_thread_view(&v, "bob");
    cr_assert(doc != NULL);
    cr_assert(eq(str, (char *)str(doc, "status"), "ok"));
    t = json_object_get(doc, "thread");
    cr_assert(eq(str, (char *)str(t, "subject"), "API integrations are the best"));
    cr_assert(eq(str, (char *)str(t, "patient_name"), "bob"));
    cr_assert(eq(str, (char *)str(t, "user_id"), "api-1"));
    msg = json_array_get(json_object_get(t, "messages"), 0);
    cr_assert(eq(str, (char *)str(msg, "content"), "hey"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(msg, "seq")), 1));
    cr_assert(eq(str, (char *)str(msg, "time_created"), "2015-04-02T22:42:59.848000+00:00"));
    cr_assert(eq(sz, json_array_size(json_object_get(msg, "attachment_ids")), 1));
    u = json_array_get(json_object_get(doc, "users"), 0);
    cr_assert(eq(str, (char *)str(u, "id"), "u-uuid"));
    cr_assert(eq(str, (char *)str(u, "user_id"), "user1"));
    cr_assert(eq(str, (char *)str(u, "primary_ou"), "cureatr"));
    cr_assert(eq(str, (char *)str(u, "email"), "user1@example.com"));
    json_decref(doc);
}

Test(clinical_json, statuses_and_counters)
{
    struct receipt_rec r[2] = {
        {.user_id = "a",
         .username = "ua",
         .email = "a@x.org",
         .read_at = "2015-01-27T08:21:57+00:00"},
        {.user_id = "b", .username = "ub", .email = "", .read_at = ""},
    };
    struct receipt_list l = {.n = 2, .items = r};
    struct counters_rec c = {.unseen_msg = 0, .unseen_ctn = 1, .unread_msg = 2, .unread_ctn = 3};
    json_t *doc = ct_json_statuses(&l), *s;

    s = json_object_get(doc, "statuses");
    cr_assert(eq(str, (char *)str(json_array_get(s, 0), "status"), "read"));
    cr_assert(eq(str, (char *)str(json_array_get(s, 0), "user"), "a@x.org"));
    cr_assert(eq(str, (char *)str(json_array_get(s, 1), "status"), "unread"));
    cr_assert(eq(str, (char *)str(json_array_get(s, 1), "user"), "ub"), "no email: the username");
    json_decref(doc);
    doc = ct_json_counters(&c);
    /* the seed's example: unseen {msg 0, ctn 1}, unread {msg 2, ctn 3} */
    cr_assert(eq(
        int, (int)json_integer_value(json_object_get(json_object_get(doc, "unseen"), "ctn")), 1));
    cr_assert(eq(
        int, (int)json_integer_value(json_object_get(json_object_get(doc, "unread"), "msg")), 2));
    cr_assert(eq(
        int, (int)json_integer_value(json_object_get(json_object_get(doc, "unread"), "ctn")), 3));
    json_decref(doc);
}
