/* test_clinical_threads_page.c: POST page through the edge
 * (services/messaging/clinical_page.c): a user's pager number, a service's
 * pager reaching each member, "No pager number provided", unknown numbers
 * and other organizations' numbers. Pager numbers are written straight into
 * messaging's pager tables (the admin operations that assign them are not
 * part of this suite). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_clinical.h"

#define PAGE "/api/2014-08-01/page"

TestSuite(clinical_threads_page, .timeout = 120);

static void pager(const char *org, const char *number, const char *user, const char *service)
{
    PGconn *pg = it_pg();
    const char *v[4] = {org, number, user, service};
    char *s = it_pg_value(pg,
                          "INSERT INTO messaging.clinical_pagers (organization_id, pager_number, "
                          "user_id, service) VALUES ($1::uuid, $2, $3, $4) RETURNING pager_number",
                          4, v);
    free(s);
    PQfinish(pg);
}

static void member(const char *org, const char *service, const char *user)
{
    PGconn *pg = it_pg();
    const char *v[3] = {org, service, user};
    char *s = it_pg_value(pg,
                          "INSERT INTO messaging.clinical_service_members (organization_id, "
                          "service, user_id) VALUES ($1::uuid, $2, $3) RETURNING service",
                          3, v);
    free(s);
    PQfinish(pg);
}

Test(clinical_threads_page, a_users_pager_makes_one_urgent_thread)
{
    struct ic_client c;
    struct ut_user a;
    char ea[160], path[256];
    json_t *doc, *t;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    pager(c.org, "5551001", a.id, NULL);
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
    cr_assert(eq(str, (char *)ic_str(json_array_get(json_object_get(t, "messages"), 0), "content"),
                 "call me"));
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
    pager(c.org, "5552002", NULL, "ER");
    member(c.org, "ER", a.id);
    member(c.org, "ER", b.id);
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
    pager(c.org, "5553003", a.id, NULL);
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
