/* test_clinical_threads.c: the clinical API's threads and messages through
 * the edge (services/messaging/clinical_threads.c): thread/create as the
 * seed shows it (form and JSON, relaxed and strict validation, the reason
 * object), reading and posting as the organization's API client and as
 * persons with their own tokens, read statuses, counters, events, PHI at
 * rest, and what other organizations and non-participants get. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "it_clinical.h"

#define CREATE "/api/2014-08-01/thread/create"
#define POST "/api/2014-08-01/message"
#define FORM "application/x-www-form-urlencoded"

TestSuite(clinical_threads, .timeout = 120);

/* A thread to recipients (form body: "recipients=a&recipients=b"), as c;
 * asserts 200 and copies the ids. */
static void make_thread(const struct ic_client *c, const char *form, char *thread_id,
                        char *message_id)
{
    json_t *doc;
    long st = ic_api(c, "POST", CREATE, FORM, form, &doc);

    cr_assert(eq(long, st, 200), "create: %ld %s", st, json_dumps(doc, 0));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "ok"));
    snprintf(thread_id, 64, "%s", ic_str(doc, "thread_id"));
    if (message_id)
        snprintf(message_id, 64, "%s", ic_str(doc, "message_id"));
    json_decref(doc);
}

/* The seed's curl example (form, repeated recipients, one outside the
 * organization): relaxed by default, so it is sent to the valid ones. */
Test(clinical_threads, seed_curl_example_sends_to_the_valid_recipients)
{
    struct ic_client c;
    struct ut_user a, b;
    char ea[160], eb[160], form[600];
    json_t *doc;
    long st;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    snprintf(form, sizeof form,
             "subject=hi&patient_name=bob&message=hey&recipients=%s&recipients=%s"
             "&recipients=baz@cureatr.com",
             ea, eb);
    st = ic_api(&c, "POST", CREATE, NULL, form, &doc); /* curl -d sends no content type */
    cr_assert(eq(long, st, 200), "%s", json_dumps(doc, 0));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "ok"));
    cr_assert(eq(sz, strlen(ic_str(doc, "thread_id")), 36));
    cr_assert(eq(sz, strlen(ic_str(doc, "message_id")), 36));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_ok")), 2));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_ok"), ea)));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_ok"), eb)));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_error")), 1));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_error"), "baz@cureatr.com")));
    json_decref(doc);
}

/* The same parameters as an XML document: repeated elements are a list. */
Test(clinical_threads, an_xml_body_creates_a_thread)
{
    struct ic_client c;
    struct ut_user a, b;
    char ea[160], eb[160], body[800];
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    snprintf(body, sizeof body,
             "<request><subject>hi</subject><message>hey</message><recipients>%s</recipients>"
             "<recipients>%s</recipients><validation>strict</validation></request>",
             ea, eb);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, "application/xml", body, &doc), 200), "%s",
              json_dumps(doc, 0));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_ok")), 2));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_error")), 0));
    json_decref(doc);
}

/* validation=strict: one invalid address and nothing is sent. */
Test(clinical_threads, strict_validation_sends_nothing_and_lists_the_invalid)
{
    struct ic_client c;
    struct ut_user a;
    char ea[160], body[600], *v;
    const char *params[1];
    json_t *doc;
    PGconn *pg;
    long st;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    snprintf(body, sizeof body,
             "{\"subject\":\"s\",\"message\":\"m\",\"validation\":\"strict\","
             "\"recipients\":[\"%s\",\"nobody@example.com\"]}",
             ea);
    st = ic_api(&c, "POST", CREATE, "application/json", body, &doc);
    cr_assert(eq(long, st, 400));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "error"));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_error")), 1));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_error"), "nobody@example.com")));
    cr_assert(json_object_get(doc, "thread_id") == NULL);
    json_decref(doc);
    pg = it_pg();
    params[0] = c.org;
    v = it_pg_value(pg,
                    "SELECT count(*) FROM messaging.clinical_threads WHERE organization_id = $1", 1,
                    params);
    cr_assert(eq(str, v, "0"), "no thread was made");
    free(v);
    PQfinish(pg);
    /* relaxed (the default) with the same recipients sends to the valid one */
    snprintf(body, sizeof body,
             "{\"subject\":\"s\",\"message\":\"m\",\"recipients\":[\"%s\",\"nobody@example.com\"]}",
             ea);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, "application/json", body, &doc), 200));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_ok"), ea)));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_error"), "nobody@example.com")));
    json_decref(doc);
}

/* No valid recipient: an error even when relaxed; a person of another
 * organization is not a valid recipient. */
Test(clinical_threads, no_valid_recipient_is_an_error)
{
    struct ic_client c, other;
    struct ut_user x;
    char ex[160], form[400];
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_world(&other, "[\"admin\"]");
    ic_person(&other, &x, ex);
    snprintf(form, sizeof form, "subject=s&message=m&recipients=%s", ex);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, FORM, form, &doc), 400));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "error"));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_error"), ex)));
    json_decref(doc);
}

/* Missing and invalid parameters: the seed's "Invalid Request" with a
 * reason per parameter. */
Test(clinical_threads, missing_parameters_answer_the_reason_object)
{
    struct ic_client c;
    json_t *doc, *reason;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, FORM, "recipients=a@example.com", &doc), 400));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "error"));
    cr_assert(eq(str, (char *)ic_str(doc, "message"), "Invalid Request"));
    reason = json_object_get(doc, "reason");
    cr_assert(eq(str, (char *)ic_str(reason, "message"), "Missing value"));
    cr_assert(eq(str, (char *)ic_str(reason, "subject"), "Missing value"));
    cr_assert(json_object_get(reason, "recipients") == NULL);
    json_decref(doc);
    /* JSON: recipients must be an array; validation only relaxed|strict */
    cr_assert(eq(long,
                 ic_api(&c, "POST", CREATE, "application/json",
                        "{\"subject\":\"s\",\"message\":\"m\",\"recipients\":\"a@example.com\","
                        "\"validation\":\"loose\",\"urgent\":\"maybe\"}",
                        &doc),
                 400));
    reason = json_object_get(doc, "reason");
    cr_assert(eq(str, (char *)ic_str(reason, "recipients"), "Invalid value"));
    cr_assert(eq(str, (char *)ic_str(reason, "validation"), "Invalid value"));
    cr_assert(eq(str, (char *)ic_str(reason, "urgent"), "Invalid value"));
    json_decref(doc);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, "application/json", "{}", &doc), 400));
    cr_assert(
        eq(str, (char *)ic_str(json_object_get(doc, "reason"), "recipients"), "Missing value"));
    json_decref(doc);
}

/* sender: an account of the organization makes the thread come from that
 * person; any other address leaves it the API client's (the seed). */
Test(clinical_threads, sender_is_the_person_when_an_account_else_the_client)
{
    struct ic_client c;
    struct ut_user a, b;
    char ea[160], eb[160], form[600], path[256];
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    snprintf(form, sizeof form, "subject=s&message=m&recipients=%s&sender=%s", eb, ea);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, FORM, form, &doc), 200));
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", ic_str(doc, "thread_id"));
    json_decref(doc);
    cr_assert(eq(long, ic_token(a.token, "GET", path, NULL, &doc), 200), "the sender takes part");
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "thread"), "user_id"), a.id));
    json_decref(doc);
    snprintf(form, sizeof form, "subject=s&message=m&recipients=%s&sender=x@example.com", eb);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, FORM, form, &doc), 200));
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", ic_str(doc, "thread_id"));
    json_decref(doc);
    cr_assert(eq(long, ic_api(&c, "GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "thread"), "user_id"), c.user));
    json_decref(doc);
}

/* The two-person journey: the API client writes to two persons (and one
 * invalid address); each reads with their own token; read statuses and
 * counters follow; a reply reaches the other; the events are in the
 * outbox; the patient name is sealed at rest. */
Test(clinical_threads, two_person_journey_reads_move_statuses_and_counters)
{
    struct ic_client c;
    struct ut_user a, b, z;
    char ea[160], eb[160], ez[160], form[800], thread[64], first[64], path[256], body[256];
    char reply_id[64], *v;
    const char *params[2];
    json_t *doc, *statuses, *users, *msgs;
    long unread, unseen;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    ic_person(&c, &z, ez); /* in the organization, not in the thread */
    snprintf(form, sizeof form,
             "subject=Bed+4&message=Please+review&patient_name=Henry+Wallace&pid=777565&urgent=1"
             "&recipients=%s&recipients=%s&recipients=nobody@example.com",
             ea, eb);
    make_thread(&c, form, thread, first);

    ic_counters(&c, a.username, &unread, &unseen);
    cr_assert(eq(long, unread, 1));
    cr_assert(eq(long, unseen, 1));

    /* the API client's own reading changes nothing */
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
    cr_assert(eq(long, ic_api(&c, "GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "thread"), "subject"), "Bed 4"));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "thread"), "patient_name"), ""),
              "PHI: an API client without view-phi does not see the patient's name");
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "thread"), "pid"), "777565"));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "thread"), "user_id"), c.user));
    msgs = json_object_get(json_object_get(doc, "thread"), "messages");
    cr_assert(eq(sz, json_array_size(msgs), 1));
    cr_assert(eq(str, (char *)ic_str(json_array_get(msgs, 0), "content"), "Please review"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_array_get(msgs, 0), "seq")), 1));
    users = json_object_get(doc, "users");
    cr_assert(eq(sz, json_array_size(users), 3), "the client and two persons");
    for (size_t i = 0; i < json_array_size(users); i++) {
        const json_t *u = json_array_get(users, i);
        cr_assert(eq(str, (char *)ic_str(u, "primary_ou"), c.org_name));
        if (!strcmp(ic_str(u, "id"), a.id)) {
            cr_assert(eq(str, (char *)ic_str(u, "user_id"), a.username));
            cr_assert(eq(str, (char *)ic_str(u, "email"), ea));
        }
    }
    json_decref(doc);
    ic_counters(&c, a.username, &unread, &unseen);
    cr_assert(eq(long, unread, 1), "an API client's reading marks nothing read");

    /* a reads with their own token, and sees the patient's name */
    {
        long st = ic_token(a.token, "GET", path, NULL, &doc);
        cr_assert(eq(long, st, 200), "%s", json_dumps(doc, 0));
    }
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "thread"), "id"), thread));
    cr_assert(
        eq(str, (char *)ic_str(json_object_get(doc, "thread"), "patient_name"), "Henry Wallace"));
    json_decref(doc);
    ic_counters(&c, a.username, &unread, &unseen);
    cr_assert(eq(long, unread, 0));
    cr_assert(eq(long, unseen, 0));
    snprintf(path, sizeof path, "/api/2014-08-01/message/%s/status", first);
    cr_assert(eq(long, ic_api(&c, "GET", path, NULL, NULL, &doc), 200));
    statuses = json_object_get(doc, "statuses");
    cr_assert(eq(sz, json_array_size(statuses), 2));
    for (size_t i = 0; i < 2; i++) {
        const json_t *s = json_array_get(statuses, i);
        int is_a = !strcmp(ic_str(s, "user"), ea);
        cr_assert(it_true(is_a || !strcmp(ic_str(s, "user"), eb)));
        cr_assert(eq(str, (char *)ic_str(s, "status"), is_a ? "read" : "unread"));
        cr_assert(eq(int, ic_str(s, "time_read")[0] != '\0', is_a));
    }
    json_decref(doc);

    /* b opens the message's contents: read too */
    snprintf(path, sizeof path, "/api/2017-09-01/message/%s/contents", first);
    cr_assert(eq(long, ic_token(b.token, "GET", path, NULL, &doc), 200));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "message"), "content"), "Please review"));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "user"), "id"), c.user));
    json_decref(doc);
    ic_counters(&c, b.username, &unread, &unseen);
    cr_assert(eq(long, unread, 0));

    /* b replies with their token; a has one unread, b none */
    snprintf(body, sizeof body, "{\"thread_id\":\"%s\",\"message\":\"On my way\"}", thread);
    cr_assert(eq(long, ic_token(b.token, "POST", POST, body, &doc), 200));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "ok"));
    snprintf(reply_id, sizeof reply_id, "%s", ic_str(doc, "message_id"));
    json_decref(doc);
    ic_counters(&c, a.username, &unread, &unseen);
    cr_assert(eq(long, unread, 1));
    cr_assert(eq(long, unseen, 1));
    ic_counters(&c, b.username, &unread, &unseen);
    cr_assert(eq(long, unread, 0), "one's own message is not unread");

    /* persons read their own counters, never another's */
    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s", a.username);
    cr_assert(eq(long, ic_token(a.token, "GET", path, NULL, &doc), 200));
    cr_assert(eq(long, ic_int2(doc, "unread", "msg"), 1));
    json_decref(doc);
    cr_assert(eq(long, ic_token(b.token, "GET", path, NULL, &doc), 403));
    cr_assert(eq(str, (char *)ic_str(doc, "message"), "not authorized"));
    json_decref(doc);

    /* z, of the organization but not of the thread, sees nothing of it */
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
    cr_assert(eq(long, ic_token(z.token, "GET", path, NULL, &doc), 403));
    cr_assert(eq(str, (char *)ic_str(doc, "message"), "not authorized"));
    json_decref(doc);
    cr_assert(eq(long, ic_token(z.token, "POST", POST, body, &doc), 403));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2017-09-01/message/%s/contents", reply_id);
    cr_assert(eq(long, ic_token(z.token, "GET", path, NULL, &doc), 403));
    json_decref(doc);

    /* events of the thread, its two messages and the two readings */
    pg = it_pg();
    params[0] = thread;
    v = it_pg_value(pg,
                    "SELECT string_agg(subject, ',' ORDER BY subject) FROM messaging.outbox "
                    "WHERE position(convert_to($1, 'UTF8') in payload) > 0",
                    1, params);
    cr_assert(eq(str, v,
                 "evt.messaging.message.posted,evt.messaging.message.posted,"
                 "evt.messaging.message.read,evt.messaging.message.read,"
                 "evt.messaging.thread.created"));
    free(v);
    /* the patient name is sealed: its bytes are nowhere in the row */
    v = it_pg_value(pg,
                    "SELECT position(convert_to('Henry Wallace', 'UTF8') in "
                    "patient_name_box)::text || ':' || length(patient_name_box) "
                    "FROM messaging.clinical_threads WHERE id = $1::uuid",
                    1, params);
    cr_assert(eq(str, v, "0:53"), "13 bytes + 40 of nonce and MAC, no clear text");
    free(v);
    PQfinish(pg);
}

/* Another organization's client, and anything unknown, get "not
 * authorized"; bad message parameters get the reason object. */
Test(clinical_threads, other_organizations_and_unknown_ids_are_not_authorized)
{
    struct ic_client c, other;
    struct ut_user a;
    char ea[160], form[300], thread[64], first[64], path[256], body[256];
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_world(&other, "[\"admin\"]");
    ic_person(&c, &a, ea);
    snprintf(form, sizeof form, "subject=s&message=m&recipients=%s", ea);
    make_thread(&c, form, thread, first);
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
    cr_assert(eq(long, ic_api(&other, "GET", path, NULL, NULL, &doc), 403));
    cr_assert(eq(str, (char *)ic_str(doc, "message"), "not authorized"));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2014-08-01/message/%s/status", first);
    cr_assert(eq(long, ic_api(&other, "GET", path, NULL, NULL, &doc), 403));
    json_decref(doc);
    snprintf(body, sizeof body, "thread_id=%s&message=intrusion", thread);
    cr_assert(eq(long, ic_api(&other, "POST", POST, FORM, body, &doc), 403));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s", a.username);
    cr_assert(eq(long, ic_api(&other, "GET", path, NULL, NULL, &doc), 404));
    cr_assert(it_true(strstr(ic_str(doc, "message"), "not found") != NULL));
    json_decref(doc);
    /* unknown and malformed ids look like forbidden ones */
    cr_assert(
        eq(long,
           ic_api(&c, "GET", "/api/2014-08-01/thread/00000000-0000-4000-8000-000000000000/messages",
                  NULL, NULL, &doc),
           403));
    json_decref(doc);
    cr_assert(
        eq(long, ic_api(&c, "GET", "/api/2014-08-01/message/nope/status", NULL, NULL, &doc), 403));
    json_decref(doc);
    /* message: missing parameters */
    cr_assert(eq(long, ic_api(&c, "POST", POST, FORM, "message=m", &doc), 400));
    cr_assert(
        eq(str, (char *)ic_str(json_object_get(doc, "reason"), "thread_id"), "Missing value"));
    json_decref(doc);
    /* the client posts into its thread (form), and the "ou:user_id" form */
    cr_assert(eq(long, ic_api(&c, "POST", POST, FORM, body, &doc), 200));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s:%s", c.org_name, a.username);
    cr_assert(eq(long, ic_api(&c, "GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(long, ic_int2(doc, "unread", "msg"), 2));
    cr_assert(eq(long, ic_int2(doc, "unseen", "msg"), 1));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s:%s", other.org_name, a.username);
    cr_assert(eq(long, ic_api(&c, "GET", path, NULL, NULL, &doc), 404));
    json_decref(doc);
}

/* services: the members of each named service are recipients too (members
 * set through PUT admin/services and PUT admin/users services); a service
 * reaching nobody is a recipient error; without recipients, services
 * suffice. */
Test(clinical_threads, services_message_their_members)
{
    struct ic_client c;
    struct ut_user a, b;
    char ea[160], eb[160], form[600], path[256];
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    ic_services(&c, "[\"4th floor A\"]");
    ic_user_put(&c, a.username, "services=4th+floor+A");
    ic_user_put(&c, b.username, "services=4th+floor+A");
    snprintf(form, sizeof form,
             "subject=s&message=m&services=4th+floor+A&services=Nobody+here&recipients=%s", ea);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, FORM, form, &doc), 200), "%s",
              json_dumps(doc, 0));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_ok")), 2), "%s",
              json_dumps(doc, 0));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_ok"), eb)));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_error"), "Nobody here")));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s", b.username);
    cr_assert(eq(long, ic_token(b.token, "GET", path, NULL, &doc), 200));
    cr_assert(eq(long, ic_int2(doc, "unread", "msg"), 1));
    json_decref(doc);
    /* services alone */
    cr_assert(
        eq(long,
           ic_api(&c, "POST", CREATE, "application/json",
                  "{\"subject\":\"s\",\"message\":\"m\",\"services\":[\"4th floor A\"]}", &doc),
           200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_ok")), 2));
    json_decref(doc);
}
