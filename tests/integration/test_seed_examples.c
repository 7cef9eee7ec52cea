/* test_seed_examples.c: every example request of seed 001 (the clinical
 * messaging API's documentation, ../shared/seeds/001_f12dce3b6481174f.txt)
 * run through the edge as an API client of a fresh OU, the curl
 * thread-create example included, each answer checked against the seed's
 * example answer: util/test's exactly, the others in shape (every member
 * the seed shows is there, with the seed's JSON type, recursively; the
 * first element of a non-empty array stands for all). The seed's
 * placeholders are the test's own: OU "cureatr" is the world's root, its
 * addresses are fresh users of it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_fixtures.h"
#include "it_attach.h"

TestSuite(seed_examples, .timeout = 180);

#define JSON "application/json"

/* 1 when got has every member of want with want's type (numbers: any
 * number), recursively; the reason into why. */
static int same_shape(const json_t *want, const json_t *got, const char *at, char *why, size_t cap)
{
    const char *key;
    json_t *v;

    if (json_is_number(want) ? !json_is_number(got)
                             : (json_is_boolean(want) ? !json_is_boolean(got)
                                                      : json_typeof(want) != json_typeof(got))) {
        snprintf(why, cap, "%s: type %d, the seed's %d", at, got ? (int)json_typeof(got) : -1,
                 (int)json_typeof(want));
        return 0;
    }
    if (json_is_object(want)) {
        json_object_foreach((json_t *)want, key, v)
        {
            char path[256];
            snprintf(path, sizeof path, "%s.%s", at, key);
            if (!json_object_get(got, key)) {
                snprintf(why, cap, "%s missing", path);
                return 0;
            }
            if (!same_shape(v, json_object_get(got, key), path, why, cap))
                return 0;
        }
    }
    if (json_is_array(want) && json_array_size(want) && json_array_size(got)) {
        char path[256];
        snprintf(path, sizeof path, "%s[0]", at);
        return same_shape(json_array_get(want, 0), json_array_get(got, 0), path, why, cap);
    }
    return 1;
}

/* Calls method path as c and asserts status and the seed's shape seed (a
 * JSON text). Returns the answer (caller json_decref). */
static json_t *example(const struct cf_client *c, const char *method, const char *path,
                       const char *ctype, const char *body, long status, const char *seed)
{
    json_t *want = json_loads(seed, 0, NULL), *got = NULL;
    long st = cf_call(c, method, path, ctype, body, &got);
    char why[512] = "", *text = got ? json_dumps(got, 0) : NULL;

    cr_assert(not(eq(ptr, want, NULL)), "the seed's example does not parse: %s", seed);
    cr_assert(eq(long, st, status), "%s %s: %ld %s", method, path, st, text ? text : "(not JSON)");
    cr_assert(it_true(same_shape(want, got, "$", why, sizeof why)), "%s %s: %s in %s", method, path,
              why, text ? text : "(not JSON)");
    free(text);
    json_decref(want);
    return got;
}

/* util/test: the seed's five curl examples, answers to the letter. */
static void util_test(const struct cf_client *c)
{
    static const struct {
        const char *method, *ctype, *body, *answer;
    } ex[] = {
        {"GET", NULL, NULL, "{\"status\": \"ok\", \"message\": \"GET OK\", \"id\": \"1\"}"},
        {"POST", NULL, "message=hello",
         "{\"status\": \"ok\", \"message\": \"hello\", \"id\": \"1\"}"},
        {"POST", NULL, "message=hello&error=1",
         "{\"status\": \"error\", \"message\": \"hello\", \"id\": \"1\"}"},
        {"POST", "application/json", "{\"message\": \"hello\"}",
         "{\"status\": \"ok\", \"message\": \"hello\", \"id\": \"1\"}"},
        {"POST", "application/xml", "<message>hello</message>",
         "{\"status\": \"ok\", \"message\": \"hello\", \"id\": \"1\"}"},
    };

    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        json_t *got = NULL, *want = json_loads(ex[i].answer, 0, NULL);
        cf_call(c, ex[i].method, "/api/2015-02-01/util/test/1", ex[i].ctype, ex[i].body, &got);
        cr_assert(it_true(json_equal(got, want)), "util/test example %zu: %s", i,
                  got ? json_dumps(got, 0) : "(not JSON)");
        json_decref(got);
        json_decref(want);
    }
}

Test(seed_examples, every_example_answers_in_the_seeds_shape)
{
    struct cf_world w;
    char email[128], other[128], path[512], body[2048], thread[64], message[64], att[32], pid[64];
    size_t len;
    char *multipart;
    json_t *doc;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    util_test(&w.admin);

    /* institutions */
    snprintf(path, sizeof path, "/api/2018-04-01/admin/services/%s", w.root);
    json_decref(example(&w.admin, "PUT", path, JSON,
                        "{\"services\": [\"First Floor\", \"Second Floor\", \"First floor\", "
                        "\"On Call\"]}",
                        200,
                        "{\"status\": \"ok\", \"services\": [\"service one\"], "
                        "\"warnings\": []}"));
    json_decref(example(&w.admin, "GET", path, NULL, NULL, 200,
                        "{\"status\": \"ok\", \"services\": [\"service one\"]}"));

    /* users: the seed's JSON create request */
    it_unique(pid, sizeof pid, "jdoe-");
    snprintf(email, sizeof email, "%.60s@example.com", pid);
    snprintf(body, sizeof body,
             "{\"first_name\": \"John\", \"last_name\": \"Doe\", \"email\": \"%s\", "
             "\"primary_ou\": \"%s\", \"specialty\": \"Specialty\", \"title\": \"Title\", "
             "\"services\": [\"First Floor\", \"Second Floor\"], \"send_activation_email\": false}",
             email, w.root);
    json_decref(example(
        &w.admin, "POST", "/api/2015-02-01/admin/users", JSON, body, 200,
        "{ \"status\": \"ok\", \"user\": { \"acceptance_date\": \"\", \"account_status\": \"\", "
        "\"admin_permissions\": \"\", \"app_platform\": \"\", \"app_version\": \"\", "
        "\"associated_ou\": \"\", \"city\": \"\", \"email\": \"jdoe@amsconnect.co\", "
        "\"first_name\": \"John\", \"has_password\": \"Y\", \"has_pin\": \"\", \"id\": \"551d\", "
        "\"last_name\": \"Doe\", \"latest_agreement_version\": \"\", \"legal_agreement\": \"\", "
        "\"location\": \"\", \"location_detail\": \"\", \"managed\": \"Y\", \"primary_ou\": "
        "\"cureatr\", \"specialty\": \"Specialty\", \"state\": \"\", \"time_created\": \"2015\", "
        "\"title\": \"Title\", \"user_id\": \"jdoe@amsconnect.co\", \"covering_user_id\": \"\", "
        "\"services\": [\"First Floor\", \"Second Floor\"], \"status\": \"available\", "
        "\"status_message\": \"\", \"zip_code\": \"\" } }"));
    json_decref(example(&w.admin, "POST", "/api/2015-02-01/admin/users", JSON, body, 400,
                        "{\"status\": \"error\", \"message\": \"A user with these credentials "
                        "already exists\"}"));
    cf_user(&w.admin, NULL, "", other);
    snprintf(path, sizeof path, "/api/2015-02-01/admin/users/%s", email);
    json_decref(example(&w.admin, "GET", path, NULL, NULL, 200,
                        "{\"status\": \"ok\", \"user\": {\"email\": \"\", \"id\": \"\", "
                        "\"primary_ou\": \"\", \"services\": [\"\"], \"user_id\": \"\"}}"));
    snprintf(path, sizeof path, "/api/2015-02-01/admin/users/%s:%s", w.root, email);
    json_decref(example(&w.admin, "GET", path, NULL, NULL, 200,
                        "{\"status\": \"ok\", \"user\": {\"user_id\": \"\"}}"));
    json_decref(example(&w.admin, "GET", "/api/2015-02-01/admin/users/jjdoe@amsconnect.co", NULL,
                        NULL, 404, "{\"status\": \"error\", \"message\": \"user [x] not found\"}"));
    snprintf(path, sizeof path, "/api/2015-02-01/admin/users/%s", email);
    snprintf(body, sizeof body,
             "{\"email\": \"%s\", \"specialty\": \"Specialty 1\", \"title\": \"Title 1\", "
             "\"services\": [\"First floor\", \"On Call\"], \"pager_number\": \"5550100\"}",
             email);
    json_decref(example(&w.admin, "PUT", path, JSON, body, 200, "{\"status\": \"ok\"}"));
    snprintf(path, sizeof path, "/api/2016-10-01/user/search?service=On+Call");
    doc = example(&w.admin, "GET", path, NULL, NULL, 200,
                  "{\"status\": \"ok\", \"users\": [{\"last_name\": \"\", \"managed\": \"Y\", "
                  "\"time_created\": \"\", \"has_password\": \"Y\", \"account_status\": \"\", "
                  "\"id\": \"\", \"first_name\": \"\", \"user_id\": \"\", \"title\": \"\", "
                  "\"associated_ou\": \"\", \"status_message\": \"\", \"email\": \"\", "
                  "\"status\": \"\", \"legal_agreement\": \"\", \"specialty\": \"\", "
                  "\"services\": [\"\"], \"admin_permissions\": \"\", \"primary_ou\": \"\", "
                  "\"reporting_tags\": []}]}");
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "users")), 1));
    json_decref(doc);

    /* threads and messages: the curl example (foo and bar are nobody's) */
    snprintf(body, sizeof body,
             "subject=hi&patient_name=bob&message=hey&recipients=foo@example.com"
             "&recipients=bar@example.com&recipients=%s",
             email);
    doc = example(&w.admin, "POST", "/api/2014-08-01/thread/create", NULL, body, 200,
                  "{ \"message_id\": \"53db\", \"recipients_error\": [ \"foo@example.com\", "
                  "\"bar@example.com\" ], \"recipients_ok\": [ \"baz@amsconnect.co\" ], "
                  "\"status\": \"ok\", \"thread_id\": \"53db\" }");
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_error")), 2));
    snprintf(thread, sizeof thread, "%s", cf_str(doc, "thread_id"));
    json_decref(doc);
    json_decref(example(&w.admin, "POST", "/api/2014-08-01/thread/create", NULL,
                        "recipients=foo@example.com", 400,
                        "{ \"message\": \"Invalid Request\", \"reason\": { \"message\": \"Missing "
                        "value\", \"subject\": \"Missing value\" }, \"status\": \"error\" }"));
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
    json_decref(example(
        &w.admin, "GET", path, NULL, NULL, 200,
        "{ \"status\": \"ok\", \"thread\": { \"id\": \"5519\", \"subject\": \"API\", "
        "\"patient_name\": \"\", \"user_id\": \"5519\", \"messages\": [ { \"content\": \"M\", "
        "\"id\": \"5519\", \"seq\": 1, \"time_created\": \"2015\", \"user_id\": \"5519\" } ] }, "
        "\"users\": [ { \"email\": \"u\", \"id\": \"5519\", \"primary_ou\": \"cureatr\", "
        "\"user_id\": \"user1\" } ] }"));
    snprintf(body, sizeof body, "{\"thread_id\": \"%s\", \"message\": \"this is a test message\"}",
             thread);
    doc = example(&w.admin, "POST", "/api/2014-08-01/message", JSON, body, 200,
                  "{ \"status\": \"ok\", \"message_id\": \"54db\" }");
    snprintf(message, sizeof message, "%s", cf_str(doc, "message_id"));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2017-09-01/message/%s/contents?user=%s", message, email);
    json_decref(example(
        &w.admin, "GET", path, NULL, NULL, 200,
        "{ \"status\": \"ok\", \"message\": { \"id\": \"59b0\", \"user_id\": \"5519\", \"seq\": 2, "
        "\"content\": \"t\", \"time_created\": \"2015\" }, \"user\": { \"email\": \"u\", "
        "\"id\": \"5519\", \"primary_ou\": \"cureatr\", \"user_id\": \"user1\" } }"));
    snprintf(path, sizeof path, "/api/2014-08-01/message/%s/status", message);
    json_decref(example(&w.admin, "GET", path, NULL, NULL, 200,
                        "{ \"status\": \"ok\", \"statuses\": [ { \"status\": \"read\", \"user\": "
                        "\"a@b\", \"time_read\": \"2015\" } ] }"));
    json_decref(example(&w.other_admin, "GET", path, NULL, NULL, 403,
                        "{ \"status\": \"error\", \"message\": \"not authorized\" }"));
    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s", email);
    json_decref(example(&w.admin, "GET", path, NULL, NULL, 200,
                        "{ \"status\": \"ok\", \"unseen\": {\"msg\": 0, \"ctn\": 1}, \"unread\": "
                        "{\"msg\": 2, \"ctn\": 3} }"));
    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s:%s", w.root, email);
    json_decref(
        example(&w.admin, "GET", path, NULL, NULL, 200,
                "{ \"status\": \"ok\", \"unseen\": {\"msg\": 0}, \"unread\": {\"msg\": 2} }"));

    /* attachments */
    multipart = ia_multipart("attachment", "picture.txt", "hello", 5, &len);
    doc = example(&w.admin, "POST", "/api/2014-08-01/attachment",
                  "multipart/form-data; boundary=" IA_BOUNDARY, multipart, 200,
                  "{ \"status\": \"ok\", \"attachment\": { \"id\": \"5523\", \"mime_type\": "
                  "\"image/jpeg\", \"name\": \"picture.jpg\", \"size\": 31337, \"time_created\": "
                  "\"2015\", \"user_id\": \"5523\" } }");
    free(multipart);
    snprintf(att, sizeof att, "%s", cf_str(json_object_get(doc, "attachment"), "id"));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2014-08-01/attachment/%s", att);
    json_decref(example(&w.admin, "GET", path, NULL, NULL, 200,
                        "{ \"status\": \"ok\", \"attachment\": { \"id\": \"5523\", \"mime_type\": "
                        "\"t\", \"name\": \"p\", \"size\": 1, \"time_created\": \"2015\", "
                        "\"user_id\": \"5523\" } }"));
    json_decref(example(&w.admin, "GET", "/api/2014-08-01/attachment/ffffffffffffffffffffffff",
                        NULL, NULL, 404, "{ \"status\": \"error\", \"message\": \"invalid id\" }"));

    /* paging and service pagers */
    json_decref(example(
        &w.admin, "POST", "/api/2014-08-01/page", NULL, "pager_number=5550100&message=hello", 200,
        "{ \"status\": \"ok\", \"message_id\": \"5519\", \"thread_id\": \"5519\" }"));
    snprintf(body, sizeof body, "pager_number=5550101&iid=%s&service=On+Call", w.root);
    json_decref(example(&w.admin, "POST", "/api/2019-03-01/pager/service", NULL, body, 200,
                        "{ \"status\": \"ok\" }"));
    snprintf(path, sizeof path, "/api/2019-03-01/pager/service?iid=%s", w.root);
    json_decref(example(&w.admin, "GET", path, NULL, NULL, 200,
                        "{ \"status\": \"ok\", \"pagers\": [ { \"pager_number\": \"1\", "
                        "\"service\": \"s\" } ] }"));
    json_decref(example(&w.admin, "POST", "/api/2014-08-01/page", JSON,
                        "{\"pager_number\": \"5550101\", \"message\": \"code\"}", 200,
                        "{ \"status\": \"ok\", \"messages\": [ { \"message_id\": \"5519\", "
                        "\"thread_id\": \"5519\" } ] }"));
    json_decref(example(&w.admin, "POST", "/api/2014-08-01/page", NULL, "message=hello", 400,
                        "{ \"status\": \"error\", \"message\": \"No pager number provided\" }"));

    /* patients: the seed's JSON requests */
    it_unique(pid, sizeof pid, "777565-");
    snprintf(
        body, sizeof body,
        "{ \"pid\": \"%s\", \"primary_ou\": \"%s\", \"dob\": \"1972-11-02\", \"sex\": \"M\", "
        "\"name\": { \"prefix\": \"MR\", \"given\": \"HENRY\", \"middle\": \"S\", \"family\": "
        "\"WALLACE\", \"suffix\": \"JR\" }, \"pids\": [ {\"authority\": \"MRN\", "
        "\"identifier\": \"777565\"}, {\"authority\": \"MPI\", \"identifier\": \"26WFR996\"} ],"
        " \"pcm_enabled\": true, \"associated_ou\": [ \"%s\" ], \"consents\": "
        "[\"add:hie-ny:03-04-2014\", \"remove:hie-ny:01-01-2014\"], \"address\": { "
        "\"street_address\": \"123 Any St.\", \"city\": \"Anytown\", \"state\": \"NY\", "
        "\"zip\": \"12345\", \"country\": \"us\" } }",
        pid, w.root, w.child);
    json_decref(example(&w.admin, "POST", "/api/2014-08-01/patients", JSON, body, 200,
                        "{\"status\": \"ok\"}"));
    snprintf(path, sizeof path, "/api/2014-08-01/patients/%s", pid);
    json_decref(example(&w.admin, "PUT", path, JSON, body, 200, "{\"status\": \"ok\"}"));
    snprintf(path, sizeof path, "/api/2014-08-01/patients/%s/subscribe", pid);
    snprintf(body, sizeof body,
             "{ \"primary_ou\": \"%s\", \"sid\": \"s3722\", \"tags\": [\"tag1\", \"tag2\"], "
             "\"consents\": [\"add:hie-ny:03-04-2014\", \"remove:hie-ny:01-01-2014\"] }",
             w.root);
    json_decref(example(&w.admin, "POST", path, JSON, body, 200, "{\"status\": \"ok\"}"));

    /* recipient groups */
    snprintf(body, sizeof body, "iid=%s&name=Night+shift&recipient_ids=%s", w.root, email);
    doc = example(&w.admin, "POST", "/api/2019-03-01/recipient_groups", NULL, body, 200,
                  "{ \"status\": \"ok\", \"recipient_group\": {} }");
    snprintf(path, sizeof path, "/api/2019-03-01/recipient_groups/%s",
             cf_str(json_object_get(doc, "recipient_group"), "id"));
    json_decref(doc);
    snprintf(body, sizeof body, "/api/2019-03-01/recipient_groups?iid=%s", w.root);
    json_decref(example(&w.admin, "GET", body, NULL, NULL, 200,
                        "{ \"status\": \"ok\", \"recipient_groups\": [{}] }"));
    snprintf(body, sizeof body, "name=Day+shift&recipient_ids=%s&recipient_ids=%s", email, other);
    json_decref(example(&w.admin, "PUT", path, NULL, body, 200,
                        "{ \"status\": \"ok\", \"recipient_group\": {} }"));
    json_decref(example(&w.admin, "DELETE", path, NULL, NULL, 200, "{ \"status\": \"ok\" }"));
}

/* GET admin/users streams (not one JSON document): its 200 and CSV header. */
Test(seed_examples, the_user_export_streams)
{
    struct cf_world w;
    char email[128], path[512];
    struct it_resp r;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", email);
    snprintf(path, sizeof path, "/api/2015-02-01/admin/users?ou=%s&children=true&format=csv",
             w.root);
    cf_call_raw(&w.admin, "GET", path, NULL, NULL, &r);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(int, strncmp(r.body, "id,user_id,email,", 17), 0), "%.200s", r.body);
    cr_assert(not(eq(ptr, strstr(r.body, email), NULL)));
    it_resp_release(&r);
}
