/* test_authz_individuals.c: the individuals resource of authz (#51, #52)
 * through the edge: registration by the owner organization's admin, who
 * may read an individual (its admins, its own user, the leaders and members
 * of a group holding it), and another tenant's 404. The fixtures are
 * test_authz_groups.c's. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "test_users_fixtures.h"

#define TI_NONE "00000000-0000-4000-8000-000000000000"

/* defined in test_authz_groups.c */
void ag_person(const char *org, const char *role, struct ut_user *u);
long ag_call(const char *method, const char *token, const char *body, json_t **doc,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void ag_individual(const char *token, const char *org, const char *user, char *id);
void ag_group(const char *token, const char *org, const char *parent, const char *extra,
              char *id);
long ag_count(const char *sql, const char *a, const char *b);

static char org_a[40], org_b[40];
static struct ut_user admin_a, admin_b, own, leader, bystander;

static void setup(void)
{
    if (!it_have_stack())
        return;
    ut_org(org_a);
    ut_org(org_b);
    ag_person(org_a, "admin", &admin_a);
    ag_person(org_b, "admin", &admin_b);
    ag_person(org_a, NULL, &own);
    ag_person(org_a, "provider", &leader);
    ag_person(org_a, "provider", &bystander);
}

TestSuite(authz_individuals, .init = setup, .timeout = 30);

/* A fresh uuid into id (40 bytes). */
static void fresh_id(char *id)
{
    PGconn *pg = it_pg();
    char *v = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);

    snprintf(id, 40, "%s", v);
    free(v);
    PQfinish(pg);
}

/* The create body for id under owner. */
static void body_for(char *body, size_t cap, const char *id, const char *owner)
{
    snprintf(body, cap,
             "{\"data\": {\"type\": \"individuals\", \"attributes\": {\"individual-id\": \"%s\", "
             "\"owner-id\": \"%s\"}}, \"meta\": {}}",
             id, owner);
}

/* GET individual id as token: 200 with the individuals resource of id. */
static void read_ok(const char *token, const char *id)
{
    json_t *doc = NULL;
    cr_assert(eq(long, ag_call("GET", token, NULL, &doc, "/v1/individuals/%s/", id), 200), "%s", id);
    json_t *data = json_object_get(doc, "data");
    cr_assert(eq(str, (char *)af_str(data, "type"), "individuals"));
    cr_assert(eq(str, (char *)af_str(data, "id"), (char *)id));
    cr_assert(eq(str, (char *)af_str(json_object_get(data, "attributes"), "owner-id"), org_a));
    json_decref(doc);
}

/* GET individual id as token: 404, "no such individual", nothing of it shown. */
static void read_404(const char *token, const char *id)
{
    json_t *doc = NULL;
    cr_assert(eq(long, ag_call("GET", token, NULL, &doc, "/v1/individuals/%s/", id), 404), "%s", id);
    cr_assert(eq(str, (char *)af_error(doc, 404, NULL), "no such individual"));
    cr_assert(json_object_get(doc, "data") == NULL);
    json_decref(doc);
}

Test(authz_individuals, admin_registers_and_reads)
{
    char id[40], body[512];
    json_t *doc = NULL, *data, *attrs;

    IT_REQUIRE_STACK();
    fresh_id(id);
    body_for(body, sizeof body, id, org_a);
    long events = ag_count("SELECT count(*) FROM authz.outbox WHERE subject = "
                           "'evt.authz.individual.created'", NULL, NULL);
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc, "/v1/individuals/"), 201));
    data = json_object_get(doc, "data");
    attrs = json_object_get(data, "attributes");
    cr_assert(eq(str, (char *)af_str(data, "type"), "individuals"));
    cr_assert(eq(str, (char *)af_str(data, "id"), id));
    cr_assert(eq(str, (char *)af_str(attrs, "owner-id"), org_a));
    cr_assert(eq(sz, json_object_size(attrs), 1)); /* only owner-id, as the seed */
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc, "/v1/individuals/%s/", id), 200));
    cr_assert(eq(str, (char *)af_str(json_object_get(json_object_get(doc, "data"), "attributes"),
                                     "owner-id"),
                 org_a));
    json_decref(doc);
    /* one event for this registration (the relay may have sent it already:
     * outbox rows are kept) */
    cr_assert(eq(long,
                 ag_count("SELECT count(*) FROM authz.outbox WHERE subject = "
                          "'evt.authz.individual.created'", NULL, NULL),
                 events + 1));
    /* the same id again */
    cr_assert(eq(long, ag_call("POST", admin_a.token, body, &doc, "/v1/individuals/"), 409));
    af_error(doc, 409, "/data/attributes/individual-id");
    json_decref(doc);
}

Test(authz_individuals, who_may_register)
{
    char id[40], body[512];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    fresh_id(id);
    body_for(body, sizeof body, id, org_a);
    cr_assert(eq(long, ag_call("POST", own.token, body, &doc, "/v1/individuals/"), 403));
    af_error(doc, 403, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", admin_b.token, body, &doc, "/v1/individuals/"), 404));
    af_error(doc, 404, "/data/attributes/owner-id");
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", NULL, body, &doc, "/v1/individuals/"), 401));
    af_error(doc, 401, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.individuals WHERE id = $1::uuid", id,
                                NULL), 0));
}

static const struct {
    const char *body, *pointer;
} bad_bodies[] = {
    {"{\"data\": {\"type\": \"individual\", \"attributes\": {\"individual-id\": \"" TI_NONE
     "\", \"owner-id\": \"@\"}}}", "/data/type"},
    {"{\"data\": {\"type\": \"individuals\", \"attributes\": {\"owner-id\": \"@\"}}}",
     "/data/attributes/individual-id"},
    {"{\"data\": {\"type\": \"individuals\", \"attributes\": {\"individual-id\": \"x\", "
     "\"owner-id\": \"@\"}}}", "/data/attributes/individual-id"},
    {"{\"data\": {\"type\": \"individuals\", \"attributes\": {\"individual-id\": 12, "
     "\"owner-id\": \"@\"}}}", "/data/attributes/individual-id"},
    {"{\"data\": {\"type\": \"individuals\", \"attributes\": {\"individual-id\": \"" TI_NONE
     "\"}}}", "/data/attributes/owner-id"},
    {"{\"data\": {\"type\": \"individuals\", \"attributes\": {\"individual-id\": \"" TI_NONE
     "\", \"owner-id\": \"@\", \"name\": \"x\"}}}", "/data/attributes/name"},
    {"{\"data\": {\"type\": \"individuals\", \"attributes\": {\"individual-id\": \"" TI_NONE
     "\", \"owner-id\": \"@\", \"user-id\": \"" TI_NONE "\"}}}", "/data/attributes/user-id"},
    {"{\"data\": []}", "/data"},
};

ParameterizedTestParameters(authz_individuals, refuses_bad_bodies)
{
    IT_INDEX_PARAMS(bad_bodies);
}

ParameterizedTest(size_t *i, authz_individuals, refuses_bad_bodies)
{
    char body[1024];
    const char *at = strchr(bad_bodies[*i].body, '@');
    json_t *doc = NULL;
    long status;

    IT_REQUIRE_STACK();
    if (at)
        snprintf(body, sizeof body, "%.*s%s%s", (int)(at - bad_bodies[*i].body), bad_bodies[*i].body,
                 org_a, at + 1);
    else
        snprintf(body, sizeof body, "%s", bad_bodies[*i].body);
    status = ag_call("POST", admin_a.token, body, &doc, "/v1/individuals/");
    /* a user-id outside the organization is unknown there: 404 */
    cr_assert(eq(long, status, strstr(body, "user-id") ? 404 : 400), "%s", body);
    af_error(doc, status, bad_bodies[*i].pointer);
    json_decref(doc);
    cr_assert(eq(long, ag_count("SELECT count(*) FROM authz.individuals WHERE id = $1::uuid",
                                TI_NONE, NULL), 0));
}

Test(authz_individuals, who_may_read)
{
    char mine[40], grouped[40], g[40], extra[256];
    json_t *doc = NULL;
    char *text;

    IT_REQUIRE_STACK();
    ag_individual(admin_a.token, org_a, own.id, mine);
    ag_individual(admin_a.token, org_a, NULL, grouped);
    snprintf(extra, sizeof extra, ", \"leader-ids\": [\"%s\"], \"individual-ids\": [\"%s\"]",
             leader.id, grouped);
    ag_group(admin_a.token, org_a, NULL, extra, g);
    /* the individual's own user */
    read_ok(own.token, mine);
    read_404(own.token, grouped);
    /* a leader of a group holding it; not someone outside the group */
    read_ok(leader.token, grouped);
    read_404(bystander.token, grouped);
    /* another tenant: 404 with none of its data */
    cr_assert(eq(long, ag_call("GET", admin_b.token, NULL, &doc, "/v1/individuals/%s/", mine), 404));
    af_error(doc, 404, NULL);
    text = json_dumps(doc, 0);
    cr_assert(strstr(text, org_a) == NULL);
    free(text);
    json_decref(doc);
    /* unknown, malformed, no credentials, unknown parameter */
    read_404(admin_a.token, TI_NONE);
    read_404(admin_a.token, "nope");
    cr_assert(eq(long, ag_call("GET", NULL, NULL, &doc, "/v1/individuals/%s/", mine), 401));
    af_error(doc, 401, NULL);
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin_a.token, NULL, &doc, "/v1/individuals/%s/?x=1", mine),
                 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
}
