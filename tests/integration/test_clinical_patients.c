/* test_clinical_patients.c: the clinical API's patients through the edge
 * (services/messaging/clinical_patients.c): the seed's example record,
 * create-or-update, PUT of an existing patient, subscriptions, the seed's
 * validation rules, PHI sealed at rest and shown only with view-phi, and
 * organizations kept apart. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_clinical.h"

#define PATIENTS "/api/2014-08-01/patients"
#define JSON "application/json"

TestSuite(clinical_patients, .timeout = 120);

/* The seed's example request for pid in c's organization. */
static char *seed_patient(const struct ic_client *c, const char *pid)
{
    char *s = NULL;
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:[{s:s, s:s}, {s:s, s:s}], s:b, "
        "s:[s, s], s:[s, s], s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s}",
        "pid", pid, "primary_ou", c->org_name, "dob", "1972-11-02", "sex", "M", "name", "prefix",
        "MR", "given", "HENRY", "middle", "S", "family", "WALLACE", "suffix", "JR", "pids",
        "authority", "MRN", "identifier", pid, "authority", "MPI", "identifier", "26WFR996",
        "pcm_enabled", 1, "associated_ou", c->org_name, "x", "consents", "add:hie-ny:03-04-2014",
        "remove:hie-ny:01-01-2014", "address", "street_address", "123 Any St.", "city", "Anytown",
        "state", "NY", "zip", "12345", "country", "us", "ssn", "123-45-6789", "preferred_language",
        "en-us");
    char assoc[200];

    /* associated_ou: the primary OU and one below it */
    snprintf(assoc, sizeof assoc, "%s:1234", c->org_name);
    json_array_set_new(json_object_get(doc, "associated_ou"), 1, json_string(assoc));
    s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return s;
}

static char *outbox_subjects(const char *pid)
{
    PGconn *pg = it_pg();
    const char *v[1] = {pid};
    char *s = it_pg_value(pg,
                          "SELECT string_agg(subject, ',' ORDER BY created_at, subject) "
                          "FROM messaging.outbox WHERE position(convert_to($1, 'UTF8') in "
                          "payload) > 0",
                          1, v);
    PQfinish(pg);
    return s;
}

Test(clinical_patients, seed_record_is_stored_sealed_and_shown_with_view_phi)
{
    struct ic_client c;
    char pid[64], *body, *v;
    const char *params[2];
    json_t *doc, *p;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\", \"view-phi\"]");
    it_unique(pid, sizeof pid, "p");
    body = seed_patient(&c, pid);
    cr_assert(eq(long, ic_api(&c, "POST", PATIENTS, JSON, body, &doc), 200), "%s",
              json_dumps(doc, 0));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "ok"));
    p = json_object_get(doc, "patient");
    cr_assert(p != NULL, "view-phi sees the record");
    cr_assert(eq(str, (char *)ic_str(json_object_get(p, "name"), "family"), "WALLACE"));
    cr_assert(eq(str, (char *)ic_str(p, "dob"), "1972-11-02"));
    cr_assert(eq(str, (char *)ic_str(p, "primary_ou"), c.org_name));
    cr_assert(eq(str, (char *)ic_str(json_object_get(p, "address"), "zip"), "12345"));
    json_decref(doc);
    /* again: an update of the same patient */
    cr_assert(eq(long, ic_api(&c, "POST", PATIENTS, JSON, body, &doc), 200));
    json_decref(doc);
    free(body);

    pg = it_pg();
    params[0] = c.org;
    params[1] = pid;
    v = it_pg_value(pg,
                    "SELECT count(*) || ':' || bool_and(position(convert_to('WALLACE', 'UTF8') in "
                    "record_box) = 0 AND position(convert_to('1972-11-02', 'UTF8') in "
                    "record_box) = 0 AND position(convert_to('123-45-6789', 'UTF8') in "
                    "record_box) = 0 AND position(convert_to('Anytown', 'UTF8') in "
                    "record_box) = 0) FROM messaging.clinical_patients "
                    "WHERE organization_id = $1::uuid AND pid = $2",
                    2, params);
    cr_assert(eq(str, v, "1:true"), "one row, and no PHI in clear in it");
    free(v);
    PQfinish(pg);
    v = outbox_subjects(pid);
    cr_assert(eq(str, v, "evt.messaging.patient.created,evt.messaging.patient.updated"));
    free(v);
}

Test(clinical_patients, without_view_phi_the_answer_holds_no_phi)
{
    struct ic_client c;
    char pid[64], *body;
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    it_unique(pid, sizeof pid, "p");
    body = seed_patient(&c, pid);
    cr_assert(eq(long, ic_api(&c, "POST", PATIENTS, JSON, body, &doc), 200));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "ok"));
    cr_assert(json_object_get(doc, "patient") == NULL);
    cr_assert(eq(sz, json_object_size(doc), 1));
    json_decref(doc);
    free(body);
}

struct bad_case {
    const char *member; /* replaced in the seed record (JSON text), or removed when value NULL */
    const char *value;
    const char *reason; /* the reason's key */
    const char *why;
};

static const struct bad_case bad_cases[] = {
    {"name", NULL, "name", "Missing value"},
    {"dob", NULL, "dob", "Missing value"},
    {"sex", NULL, "sex", "Missing value"},
    {"pid", NULL, "pid", "Missing value"},
    {"sex", "\"X\"", "sex", "Invalid value"},
    {"dob", "\"1972-13-02\"", "dob", "Invalid value"},
    {"dob", "\"1972-02-30\"", "dob", "Invalid value"},
    {"dob", "\"2999-01-01\"", "dob", "Invalid value"},
    {"dob", "\"11/02/1972\"", "dob", "Invalid value"},
    {"name", "{\"given\":\"HENRY\"}", "name", "Missing value"},
    {"name", "{\"given\":\"H\",\"family\":\"W\",\"nick\":\"x\"}", "name", "Invalid value"},
    {"address", "{\"street_address\":\"1 A St\",\"zip\":\"12345\"}", "address", "Invalid value"},
    {"address", "{\"city\":\"Anytown\"}", "address", "Invalid value"},
    {"preferred_language", "\"english\"", "preferred_language", "Invalid value"},
    {"preferred_language", "\"en_US\"", "preferred_language", "Invalid value"},
    {"consents", "[\"add:hie-ny:2014\"]", "consents", "Invalid value"},
    {"consents", "[\"grant:hie-ny:03-04-2014\"]", "consents", "Invalid value"},
    {"ssn", "\"12345\"", "ssn", "Invalid value"},
    {"pcm_enabled", "\"yes\"", "pcm_enabled", "Invalid value"},
    {"associated_ou", "[\"elsewhere:1\"]", "associated_ou", "Invalid value"},
    {"patient_attributes", "{\"control\":\"no\"}", "patient_attributes", "Invalid value"},
    {"favourite_colour", "\"blue\"", "favourite_colour", "Unknown parameter"},
};

ParameterizedTestParameters(clinical_patients, the_seeds_validation_answers_the_reason)
{
    IT_INDEX_PARAMS(bad_cases);
}

ParameterizedTest(size_t *i, clinical_patients, the_seeds_validation_answers_the_reason)
{
    const struct bad_case *b = &bad_cases[*i];
    struct ic_client c;
    char pid[64], *body;
    json_t *rec, *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    it_unique(pid, sizeof pid, "p");
    body = seed_patient(&c, pid);
    rec = json_loads(body, 0, NULL);
    free(body);
    if (b->value)
        json_object_set_new(rec, b->member, json_loads(b->value, JSON_DECODE_ANY, NULL));
    else
        json_object_del(rec, b->member);
    body = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    cr_assert(eq(long, ic_api(&c, "POST", PATIENTS, JSON, body, &doc), 400), "%s: %s", b->member,
              json_dumps(doc, 0));
    cr_assert(eq(str, (char *)ic_str(doc, "message"), "Invalid Request"));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "reason"), b->reason), (char *)b->why),
              "%s", json_dumps(doc, 0));
    json_decref(doc);
    free(body);
}

Test(clinical_patients, put_updates_only_an_existing_patient)
{
    struct ic_client c;
    char pid[64], path[160], *body;
    json_t *doc, *rec;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    it_unique(pid, sizeof pid, "p");
    body = seed_patient(&c, pid);
    rec = json_loads(body, 0, NULL);
    json_object_del(rec, "pid");
    free(body);
    body = json_dumps(rec, JSON_COMPACT);
    snprintf(path, sizeof path, PATIENTS "/%s", pid);
    cr_assert(eq(long, ic_api(&c, "PUT", path, JSON, body, &doc), 404));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "error"));
    cr_assert(it_true(strstr(ic_str(doc, "message"), "not found") != NULL));
    json_decref(doc);
    json_object_set_new(rec, "pid", json_string(pid));
    free(body);
    body = json_dumps(rec, JSON_COMPACT);
    cr_assert(eq(long, ic_api(&c, "POST", PATIENTS, JSON, body, &doc), 200));
    json_decref(doc);
    cr_assert(eq(long, ic_api(&c, "PUT", path, JSON, body, &doc), 200));
    json_decref(doc);
    /* a body pid other than the path's */
    json_object_set_new(rec, "pid", json_string("someone-else"));
    free(body);
    body = json_dumps(rec, JSON_COMPACT);
    cr_assert(eq(long, ic_api(&c, "PUT", path, JSON, body, &doc), 400));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "reason"), "pid"), "Invalid value"));
    json_decref(doc);
    free(body);
    json_decref(rec);
}

Test(clinical_patients, another_organizations_primary_ou_is_not_authorized)
{
    struct ic_client c, other;
    char pid[64], path[160], *body;
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_world(&other, "[\"admin\"]");
    it_unique(pid, sizeof pid, "p");
    body = seed_patient(&c, pid); /* primary_ou: c's organization */
    cr_assert(eq(long, ic_api(&other, "POST", PATIENTS, JSON, body, &doc), 403));
    cr_assert(eq(str, (char *)ic_str(doc, "message"), "not authorized"));
    json_decref(doc);
    cr_assert(eq(long, ic_api(&c, "POST", PATIENTS, JSON, body, &doc), 200));
    json_decref(doc);
    /* other's client cannot reach c's patient under its own OU either */
    snprintf(path, sizeof path, PATIENTS "/%s/subscribe", pid);
    cr_assert(eq(long, ic_api(&other, "POST", path, JSON, "{\"sid\":\"s1\"}", &doc), 404));
    json_decref(doc);
    free(body);
}

Test(clinical_patients, subscribe_needs_the_patient_and_a_sid_and_empty_tags_disable)
{
    struct ic_client c;
    char pid[64], path[160], *body, *v;
    const char *params[2];
    json_t *doc;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    it_unique(pid, sizeof pid, "p");
    snprintf(path, sizeof path, PATIENTS "/%s/subscribe", pid);
    cr_assert(eq(long, ic_api(&c, "POST", path, JSON, "{\"sid\":\"s3722\"}", &doc), 404));
    json_decref(doc);
    body = seed_patient(&c, pid);
    cr_assert(eq(long, ic_api(&c, "POST", PATIENTS, JSON, body, &doc), 200));
    json_decref(doc);
    free(body);
    cr_assert(eq(long, ic_api(&c, "POST", path, JSON, "{\"tags\":[\"tag1\"]}", &doc), 400));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "reason"), "sid"), "Missing value"));
    json_decref(doc);
    cr_assert(eq(long,
                 ic_api(&c, "POST", path, JSON,
                        "{\"sid\":\"s3722\",\"consents\":[\"add:hie-ny:2014-03-04x\"]}", &doc),
                 400));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "reason"), "consents"), "Invalid value"));
    json_decref(doc);
    /* the seed's example */
    {
        char req[400];
        snprintf(req, sizeof req,
                 "{\"primary_ou\":\"%s\",\"sid\":\"s3722\",\"tags\":[\"tag1\",\"tag2\"],"
                 "\"consents\":[\"add:hie-ny:03-04-2014\",\"remove:hie-ny:01-01-2014\"]}",
                 c.org_name);
        cr_assert(eq(long, ic_api(&c, "POST", path, JSON, req, &doc), 200));
        cr_assert(eq(str, (char *)ic_str(doc, "status"), "ok"));
        json_decref(doc);
    }
    pg = it_pg();
    params[0] = c.org;
    params[1] = pid;
    v = it_pg_value(
        pg,
        "SELECT enabled || ':' || tags::text FROM messaging.clinical_patient_subscriptions "
        "WHERE organization_id = $1::uuid AND pid = $2 AND sid = 's3722'",
        2, params);
    cr_assert(eq(str, v, "true:[\"tag1\", \"tag2\"]"));
    free(v);
    cr_assert(
        eq(long, ic_api(&c, "POST", path, JSON, "{\"sid\":\"s3722\",\"tags\":[]}", &doc), 200));
    json_decref(doc);
    v = it_pg_value(pg,
                    "SELECT enabled::text FROM messaging.clinical_patient_subscriptions "
                    "WHERE organization_id = $1::uuid AND pid = $2 AND sid = 's3722'",
                    2, params);
    cr_assert(eq(str, v, "false"), "an empty tags array disables the subscription");
    free(v);
    PQfinish(pg);
}
