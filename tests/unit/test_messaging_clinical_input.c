/* test_messaging_clinical_input.c: the clinical API's parameters
 * (thread/create, message, page) and patient records, read and checked
 * without a stack: the seed's reason object, repeated form keys, JSON
 * arrays, and the patient rules. */
// links: services/messaging/clinical_threads_input.c services/messaging/clinical_patients_input.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <string.h>

#include "../../services/messaging/clinical_patients_input.h"
#include "../../services/messaging/clinical_threads_input.h"
#include "cm_body.h"

/* 1 for JSON true. */
static int it_true_json(const json_t *v)
{
    return json_is_true(v);
}

static json_t *form(const char *s)
{
    json_t *p = NULL;
    char err[64];

    cr_assert(eq(int, cm_body_parse_form(s, strlen(s), &p, err, sizeof err), CM_OK));
    return p;
}

Test(clinical_input, thread_create_reads_repeated_recipients_and_drops_duplicates)
{
    json_t *p = form("subject=hi&message=hey&recipients=a@x.org&recipients=B@x.org"
                     "&recipients=A@X.org&urgent=1&validation=strict&services=ER");
    struct thread_create_in in;
    json_t *reason = NULL;

    cr_assert(eq(int, thread_create_input_read(p, 0, &in, &reason), CM_OK));
    cr_assert(eq(sz, in.recipients.n, 2));
    cr_assert(eq(str, (char *)in.recipients.items[1], "B@x.org"));
    cr_assert(eq(int, in.urgent, 1));
    cr_assert(eq(int, in.strict, 1));
    cr_assert(eq(sz, in.services.n, 1));
    json_decref(p);
}

Test(clinical_input, thread_create_missing_and_invalid_values_fill_the_reason)
{
    json_t *p =
        json_pack("{s:s, s:s, s:s}", "recipients", "a@x.org", "validation", "lax", "subject", "");
    struct thread_create_in in;
    json_t *reason = NULL;

    cr_assert(eq(int, thread_create_input_read(p, 1, &in, &reason), CM_EINVAL));
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(reason, "message")), "Missing value"));
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(reason, "subject")), "Missing value"));
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(reason, "recipients")), "Invalid value"),
        "a JSON body's recipients must be an array");
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(reason, "validation")), "Invalid value"));
    json_decref(reason);
    json_decref(p);
}

Test(clinical_input, message_and_page_parameters)
{
    json_t *p = form("message=m"), *reason = NULL;
    struct message_post_in m;
    struct page_in pg;

    cr_assert(eq(int, message_post_input_read(p, &m, &reason), CM_EINVAL));
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(reason, "thread_id")), "Missing value"));
    json_decref(reason);
    reason = NULL;
    cr_assert(eq(int, page_input_read(p, &pg, &reason), CM_OK));
    cr_assert(eq(str, (char *)pg.pager_number, ""));
    json_decref(p);
}

static json_t *patient(void)
{
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s}, s:[s], s:s}", "pid", "777565", "dob",
                     "1972-11-02", "sex", "M", "name", "given", "HENRY", "family", "WALLACE",
                     "address", "zip", "12345", "consents", "add:hie-ny:03-04-2014",
                     "preferred_language", "en-gb");
}

Test(clinical_input, a_patient_is_normalised_with_pcm_enabled_by_default)
{
    json_t *p = patient(), *rec = NULL, *reason = NULL;

    cr_assert(eq(int, patient_input_read(p, NULL, "cureatr", "2024-01-01", &rec, &reason), CM_OK));
    cr_assert(it_true_json(json_object_get(rec, "pcm_enabled")));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(rec, "pid")), "777565"));
    json_decref(rec);
    json_decref(p);
}

Test(clinical_input, patient_rules)
{
    static const struct {
        const char *member, *value, *why;
    } cases[] = {
        {"dob", "\"2000-02-30\"", "Invalid value"},
        {"dob", "\"2030-01-01\"", "Invalid value"}, /* after "today" */
        {"sex", "\"male\"", "Invalid value"},
        {"address", "{\"street_address\": \"1 A St\", \"zip\": \"1\"}", "Invalid value"},
        {"preferred_language", "\"eng\"", "Invalid value"},
        {"consents", "[\"add:hie ny:03-04-2014\"]", "Invalid value"},
        {"associated_ou", "[\"cureatrx:1\"]", "Invalid value"},
        {"ssn", "\"123-456-789\"", "Invalid value"},
        {"extra", "1", "Unknown parameter"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *p = patient(), *rec = NULL, *reason = NULL;

        json_object_set_new(p, cases[i].member, json_loads(cases[i].value, JSON_DECODE_ANY, NULL));
        cr_assert(
            eq(int, patient_input_read(p, NULL, "cureatr", "2024-01-01", &rec, &reason), CM_EINVAL),
            "%s", cases[i].member);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(reason, cases[i].member)),
                     (char *)cases[i].why),
                  "%s", cases[i].member);
        json_decref(reason);
        json_decref(p);
    }
}

Test(clinical_input, a_put_takes_the_paths_pid_and_refuses_another)
{
    json_t *p = patient(), *rec = NULL, *reason = NULL;

    cr_assert(
        eq(int, patient_input_read(p, "other", "cureatr", "2024-01-01", &rec, &reason), CM_EINVAL));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(reason, "pid")), "Invalid value"));
    json_decref(reason);
    json_object_del(p, "pid");
    cr_assert(
        eq(int, patient_input_read(p, "other", "cureatr", "2024-01-01", &rec, &reason), CM_OK));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(rec, "pid")), "other"));
    json_decref(rec);
    json_decref(p);
}

Test(clinical_input, an_empty_tags_array_disables_a_subscription)
{
    json_t *p = json_pack("{s:s, s:[]}", "sid", "s1", "tags"), *sub = NULL, *reason = NULL;

    cr_assert(eq(int, subscription_input_read(p, &sub, &reason), CM_OK));
    cr_assert(eq(int, json_is_false(json_object_get(sub, "enabled")), 1));
    json_decref(sub);
    json_decref(p);
}
