/* test_privacy_anon.c: suite "privacy_anon": anonymous accesses (#2-#5)
 * through the edge: a person makes one for themselves; whoever holds its id
 * relays, without credentials, exactly the calls on its list (here
 * identity's public password-strength) until it expires, and gets the
 * downstream status and JSON; anything else is refused; who reads and
 * changes it; bad lists and times. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "test_users_fixtures.h"

void ag_person(const char *org, const char *role, struct ut_user *u);
long ag_call(const char *method, const char *token, const char *body, json_t **doc,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define LIST                                                                                       \
    "[{\"service\": \"identity\", \"path\": \"/v1/password-strength/\", \"method\": \"POST\"}]"

static char org[40];
static struct ut_user person, other;

static void setup(void)
{
    IT_REQUIRE_STACK();
    ut_org(org);
    ag_person(org, NULL, &person);
    ag_person(org, NULL, &other);
}

TestSuite(privacy_anon, .init = setup, .timeout = 120);

/* POST /v1/anonymous-accesses/ as token for user with list and expiry. */
static long create(const char *token, const char *user, const char *list, const char *expires,
                   json_t **doc)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"anonymous-accesses\", \"attributes\": {\"user-id\": \"%s\", "
             "\"allowed-endpoints\": %s, \"expired-at\": \"%s\"}}}",
             user, list, expires);
    return af_call("POST", "/v1/anonymous-accesses/", token, body, doc);
}

static void create_ok(char *id)
{
    json_t *doc = NULL;
    cr_assert(eq(long, create(person.token, person.id, LIST, "2099-01-01T00:00:00Z", &doc), 201));
    snprintf(id, 40, "%s", af_str(json_object_get(doc, "data"), "id"));
    json_decref(doc);
}

/* POST proxy without credentials; status, doc. */
static long proxy(const char *id, const char *body, json_t **doc)
{
    return ag_call("POST", NULL, body, doc, "/v1/anonymous-accesses/%s/proxy/", id);
}

Test(privacy_anon, the_holder_relays_what_the_list_allows_until_it_expires)
{
    char id[40], body[512];
    json_t *doc = NULL, *direct = NULL, *a;
    long direct_status;

    cr_assert(eq(long, create(person.token, person.id, LIST, "2099-01-01T00:00:00Z", &doc), 201));
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)af_str(a, "user-id"), person.id));
    cr_assert(eq(str, (char *)af_str(a, "expired-at"), "2099-01-01T00:00:00.000Z"));
    cr_assert(eq(str, (char *)af_str(json_array_get(json_object_get(a, "allowed-endpoints"), 0),
                                     "method"),
                 "post"));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    json_decref(doc);
    /* the same call made directly, to compare */
    direct_status = af_call("POST", "/v1/password-strength/", NULL,
                            "{\"password\": \"correct horse battery staple 9!\"}", &direct);
    cr_assert(eq(long, proxy(id, "{\"endpoint\": \"/v1/password-strength/\", \"method\": "
                                 "\"post\", \"json\": {\"password\": \"correct horse battery "
                                 "staple 9!\"}}",
                             &doc),
                 201));
    cr_assert(eq(i64, (long long)json_integer_value(json_object_get(doc, "status-code")),
                 (long long)direct_status));
    cr_assert(it_true(json_equal(json_object_get(doc, "json"), direct)), "relayed json differs");
    json_decref(doc);
    json_decref(direct);
    /* not on the list: another method, another path */
    cr_assert(eq(long, proxy(id, "{\"endpoint\": \"/v1/password-strength/\", \"method\": \"get\"}",
                             &doc),
                 403));
    json_decref(doc);
    cr_assert(eq(long, proxy(id, "{\"endpoint\": \"/v1/users/\", \"method\": \"post\"}", &doc),
                 403));
    cr_assert(it_true(af_error(doc, 403, "/endpoint") != NULL));
    json_decref(doc);
    /* ended by its owner: refused */
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"anonymous-accesses\", \"id\": \"%s\", \"attributes\": "
             "{\"expired-at\": \"2001-01-01T00:00:00Z\"}}}",
             id);
    cr_assert(eq(long, ag_call("PATCH", person.token, body, NULL, "/v1/anonymous-accesses/%s/", id),
                 200));
    cr_assert(eq(long, proxy(id, "{\"endpoint\": \"/v1/password-strength/\", \"method\": "
                                 "\"post\", \"json\": {\"password\": \"x\"}}",
                             &doc),
                 403));
    cr_assert(eq(str, (char *)af_error(doc, 403, NULL), "this anonymous access has expired"));
    json_decref(doc);
    /* bad proxy bodies, unknown access */
    cr_assert(eq(long, proxy(id, "{\"endpoint\": \"/v1/password-strength/\", \"method\": \"put\"}",
                             &doc),
                 400));
    json_decref(doc);
    cr_assert(eq(long, proxy("00000000-0000-4000-8000-000000000000",
                             "{\"endpoint\": \"/v1/password-strength/\", \"method\": \"post\"}",
                             &doc),
                 404));
    json_decref(doc);
}

Test(privacy_anon, owners_read_and_change_theirs_others_get_404)
{
    char id[40], body[512], admin_token[4097];
    json_t *doc = NULL;

    create_ok(id);
    cr_assert(eq(long, ag_call("GET", person.token, NULL, &doc, "/v1/anonymous-accesses/%s/", id),
                 200));
    cr_assert(eq(str, (char *)af_str(json_object_get(doc, "data"), "id"), id));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", other.token, NULL, &doc, "/v1/anonymous-accesses/%s/", id),
                 404));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", NULL, NULL, &doc, "/v1/anonymous-accesses/%s/", id), 401));
    json_decref(doc);
    it_admin_token(admin_token);
    cr_assert(eq(long, ag_call("GET", admin_token, NULL, NULL, "/v1/anonymous-accesses/%s/", id),
                 200));
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"anonymous-accesses\", \"id\": \"%s\", \"attributes\": "
             "{\"allowed-endpoints\": [{\"service\": \"identity\", \"path\": \"/v1/login/\", "
             "\"method\": \"post\"}]}}}",
             id);
    cr_assert(eq(long, ag_call("PATCH", other.token, body, &doc, "/v1/anonymous-accesses/%s/", id),
                 404));
    json_decref(doc);
    cr_assert(eq(long, ag_call("PATCH", person.token, body, &doc, "/v1/anonymous-accesses/%s/", id),
                 200));
    cr_assert(eq(str,
                 (char *)af_str(json_array_get(json_object_get(json_object_get(json_object_get(
                                                                   doc, "data"),
                                                               "attributes"),
                                                               "allowed-endpoints"),
                                               0),
                                "path"),
                 "/v1/login/"));
    json_decref(doc);
}

Test(privacy_anon, bad_lists_times_and_other_people)
{
    json_t *doc = NULL;

    cr_assert(eq(long, create(NULL, person.id, LIST, "2099-01-01T00:00:00Z", &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, create(other.token, person.id, LIST, "2099-01-01T00:00:00Z", &doc), 404));
    cr_assert(it_true(af_error(doc, 404, "/data/attributes/user-id") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, person.id, LIST, "2001-01-01T00:00:00Z", &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/expired-at") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, person.id, LIST, "soon", &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/expired-at") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, person.id, "[]", "2099-01-01T00:00:00Z", &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/allowed-endpoints") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, person.id,
                              "[{\"service\": \"billing\", \"path\": \"/x\", \"method\": \"get\"}]",
                              "2099-01-01T00:00:00Z", &doc),
                 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/allowed-endpoints/0") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, person.id,
                              "[{\"service\": \"privacy\", \"path\": "
                              "\"/v1/anonymous-accesses/\", \"method\": \"post\"}]",
                              "2099-01-01T00:00:00Z", &doc),
                 400));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, person.id,
                              "[{\"service\": \"identity\", \"path\": \"/v1/users/\", "
                              "\"method\": \"put\"}]",
                              "2099-01-01T00:00:00Z", &doc),
                 400));
    json_decref(doc);
}
