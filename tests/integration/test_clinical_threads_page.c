/* test_clinical_threads_page.c: POST page through the edge
 * (services/messaging/clinical_page.c): a user's pager number, a service's
 * pager reaching each member, "No pager number provided", unknown numbers
 * and other organizations' numbers. Pager numbers and service members are
 * set through the admin operations (PUT admin/users pager_number and
 * services, PUT admin/services, POST pager/service). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_clinical.h"

#define PAGE "/api/2014-08-01/page"

TestSuite(clinical_threads_page, .timeout = 120);

Test(clinical_threads_page, a_users_pager_makes_one_urgent_thread)
{
    struct ic_client c;
    struct ut_user a;
    char ea[160], path[256];
    json_t *doc, *t;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_user_put(&c, a.username, "pager_number=5551001");
    cr_assert(
        eq(long, ic_api(&c, "POST", PAGE, NULL, "pager_number=5551001&message=call+me", &doc), 200),
        "%s", json_dumps(doc, 0));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "ok"));
    cr_assert(eq(sz, strlen(ic_str(doc, "message_id")), 36));
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", ic_str(doc, "thread_id"));
    json_decref(doc);
    cr_assert(eq(long, ic_token(a.token, "GET", path, NULL, &doc), 200));
    t = json_object_get(doc, "thread");
    cr_assert(eq(str, (char *)ic_str(t, "subject"), "Page"));
    cr_assert(it_true(json_is_true(json_object_get(t, "urgent"))));
    /* rendered from delivery's default "page" template */
    {
        char want[160];
        snprintf(want, sizeof want, "Page from %s: call me", c.user);
        cr_assert(eq(str, (char *)ic_str(json_array_get(json_object_get(t, "messages"), 0),
                                         "content"),
                     want));
    }
    json_decref(doc);
}

Test(clinical_threads_page, the_organizations_page_template_is_used)
{
    struct ic_client c;
    struct ut_user a;
    char ea[160], path[256], want[300], *v;
    const char *params[1];
    json_t *doc, *t;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_user_put(&c, a.username, "pager_number=5551009");
    pg = it_pg();
    params[0] = c.org;
    v = it_pg_value(pg,
                    "INSERT INTO messaging.templates (id, channel, organization_id, type, locale,"
                    " format, subject, body) VALUES (gen_random_uuid(), 'sms', $1::uuid, 'page',"
                    " 'en_US', 'txt', '', 'URGENT {{organization_name}} <{{message}}>')"
                    " RETURNING 'ok'",
                    1, params);
    free(v);
    PQfinish(pg);
    cr_assert(eq(long, ic_api(&c, "POST", PAGE, NULL, "pager_number=5551009&message=call+me", &doc),
                 200));
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", ic_str(doc, "thread_id"));
    json_decref(doc);
    cr_assert(eq(long, ic_token(a.token, "GET", path, NULL, &doc), 200));
    t = json_object_get(doc, "thread");
    snprintf(want, sizeof want, "URGENT %s <call me>", c.org_name);
    cr_assert(eq(str, (char *)ic_str(json_array_get(json_object_get(t, "messages"), 0), "content"),
                 want));
    json_decref(doc);
}

Test(clinical_threads_page, a_services_pager_reaches_each_member)
{
    struct ic_client c;
    struct ut_user a, b;
    char ea[160], eb[160], path[256];
    json_t *doc, *msgs;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    ic_services(&c, "[\"ER\"]");
    ic_user_put(&c, a.username, "services=ER");
    ic_user_put(&c, b.username, "services=ER");
    ic_service_pager(&c, "5552002", "ER");
    cr_assert(eq(long,
                 ic_api(&c, "POST", PAGE, "application/json",
                        "{\"pager_number\":\"5552002\",\"message\":\"code blue\"}", &doc),
                 200),
              "%s", json_dumps(doc, 0));
    msgs = json_object_get(doc, "messages");
    cr_assert(eq(sz, json_array_size(msgs), 2));
    for (size_t i = 0; i < 2; i++) {
        cr_assert(eq(sz, strlen(ic_str(json_array_get(msgs, i), "message_id")), 36));
        cr_assert(eq(sz, strlen(ic_str(json_array_get(msgs, i), "thread_id")), 36));
    }
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s", b.username);
    cr_assert(eq(long, ic_token(b.token, "GET", path, NULL, &doc), 200));
    cr_assert(eq(long, ic_int2(doc, "unread", "msg"), 1));
    json_decref(doc);
}

Test(clinical_threads_page, missing_unknown_and_foreign_pager_numbers_are_errors)
{
    struct ic_client c, other;
    struct ut_user a;
    char ea[160];
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_world(&other, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_user_put(&c, a.username, "pager_number=5553003");
    cr_assert(eq(long, ic_api(&c, "POST", PAGE, NULL, "message=hello", &doc), 400));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "error"));
    cr_assert(eq(str, (char *)ic_str(doc, "message"), "No pager number provided"));
    json_decref(doc);
    cr_assert(eq(long, ic_api(&c, "POST", PAGE, NULL, "pager_number=5553003", &doc), 400));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "reason"), "message"), "Missing value"));
    json_decref(doc);
    cr_assert(eq(long, ic_api(&c, "POST", PAGE, NULL, "pager_number=0000&message=x", &doc), 404));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "error"));
    json_decref(doc);
    cr_assert(
        eq(long, ic_api(&other, "POST", PAGE, NULL, "pager_number=5553003&message=x", &doc), 404),
        "another organization's number reaches nobody");
    json_decref(doc);
}
