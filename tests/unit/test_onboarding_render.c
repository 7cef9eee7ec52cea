/* test_onboarding_render.c: onboarding's pure renderers: service
 * documents (translations, html, reflow), the agreements refusal,
 * check-ins, onboarding requests and invitations (doc_json.h,
 * request_json.h). */
// links: services/onboarding/doc_json.c services/onboarding/request_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <string.h>

#include "../../services/onboarding/doc_json.h"
#include "../../services/onboarding/request_json.h"

static const struct doc_rec doc = {
    .id = "11111111-1111-4111-8111-111111111111",
    .organization_id = "22222222-2222-4222-8222-222222222222",
    .type = "terms-of-service",
    .version = "3",
    .title = "Terms",
    .html_link = "https://x.example/terms",
    .html = "<p>t</p>",
    .translations = "[{\"locale\": \"es_US\", \"title\": \"Terminos\", \"html-link\": "
                    "\"https://x.example/es\"}]",
    .created_at = "2026-01-01T00:00:00.000000Z",
    .required = 1,
};

/* Identity, for macros Criterion's cr_assert cannot take first. */
static int truth(int x)
{
    return x;
}

static const char *s(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "(none)";
}

Test(onboarding_render, document_plain_translated_and_with_html)
{
    json_t *r = doc_resource(&doc, NULL, 0, 0), *a = json_object_get(r, "attributes");

    cr_assert(eq(str, (char *)s(r, "type"), "service-documents"));
    cr_assert(eq(str, (char *)s(a, "title"), "Terms"));
    cr_assert(
        eq(str, (char *)s(json_object_get(a, "organization"), "id"), (char *)doc.organization_id));
    cr_assert(json_object_get(a, "html") == NULL);
    cr_assert(eq(sz, json_array_size(json_object_get(a, "translations")), 1));
    json_decref(r);
    r = doc_resource(&doc, "es_US", 1, 1);
    a = json_object_get(r, "attributes");
    cr_assert(eq(str, (char *)s(a, "title"), "Terminos"));
    cr_assert(eq(str, (char *)s(a, "html-link"), "https://x.example/es"));
    cr_assert(strstr(s(a, "html"), "<style>") == s(a, "html"));
    cr_assert(strstr(s(a, "html"), "<p>t</p>") != NULL);
    json_decref(r);
    r = doc_resource(&doc, "fr_FR", 1, 0); /* no such translation: the original */
    a = json_object_get(r, "attributes");
    cr_assert(eq(str, (char *)s(a, "title"), "Terms"));
    cr_assert(eq(str, (char *)s(a, "html"), "<p>t</p>"));
    json_decref(r);
}

Test(onboarding_render, refusal_names_every_document)
{
    struct doc_rec items[2] = {doc, doc};
    struct doc_list l = {2, items, NULL};
    json_t *e, *d;

    items[1].id = "33333333-3333-4333-8333-333333333333";
    d = doc_agreements_refusal(&l, "/service-document-agreements");
    e = json_array_get(json_object_get(d, "errors"), 0);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(e, "status")), 403));
    cr_assert(eq(str, (char *)s(e, "code"), "service_document_agreements_required"));
    cr_assert(truth(strstr(s(e, "detail"), items[0].id) && strstr(s(e, "detail"), items[1].id)));
    cr_assert(eq(str, (char *)s(json_object_get(e, "source"), "pointer"),
                 "/service-document-agreements"));
    cr_assert(eq(
        sz, json_array_size(json_object_get(json_object_get(e, "meta"), "service-documents")), 2));
    json_decref(d);
}

Test(onboarding_render, request_and_invitation)
{
    struct req_rec r = {.id = "44444444-4444-4444-8444-444444444444",
                        .code = "ABCDEFGHJK",
                        .organization_id = "22222222-2222-4222-8222-222222222222",
                        .onboard_type = "patient",
                        .created_by = "",
                        .patient = "",
                        .patient_email = "a@example.com",
                        .phone_number = "",
                        .username = "",
                        .individual_group_ids = "[]",
                        .provider_roles = "[\"nurse\"]",
                        .notifications = "[\"email\"]",
                        .communication_preferences = "",
                        .account_step = "none",
                        .status = "claimed",
                        .claimed_by = "55555555-5555-4555-8555-555555555555",
                        .claimed_time = "2026-01-02T00:00:00.000000Z",
                        .last_invite_email = "{\"status\": \"sent\"}",
                        .last_invite_sms = "",
                        .email_dsn = "",
                        .created_time = "2026-01-01T00:00:00.000000Z"};
    struct inv_rec i = {.id = "66666666-6666-4666-8666-666666666666",
                        .code = "C",
                        .organization_id = r.organization_id,
                        .invited_email = "b@example.com",
                        .created_by = "",
                        .created_time = r.created_time,
                        .claimed_by = "",
                        .claimed_time = "",
                        .last_invite = ""};
    json_t *j = request_resource(&r), *a = json_object_get(j, "attributes");

    cr_assert(eq(str, (char *)s(j, "type"), "onboarding-requests"));
    cr_assert(truth(json_is_true(json_object_get(a, "done"))));
    cr_assert(truth(json_is_null(json_object_get(a, "patient")) &&
                    json_is_null(json_object_get(a, "email-dsn"))));
    cr_assert(eq(str,
                 (char *)s(json_object_get(json_object_get(a, "last-invite"), "email"), "status"),
                 "sent"));
    cr_assert(truth(json_is_null(json_object_get(json_object_get(a, "last-invite"), "sms"))));
    cr_assert(eq(str,
                 (char *)json_string_value(json_array_get(json_object_get(a, "provider-roles"), 0)),
                 "nurse"));
    json_decref(j);
    j = request_info_resource(&r, "Clinic");
    a = json_object_get(j, "attributes");
    cr_assert(eq(str, (char *)s(json_object_get(a, "organization"), "display-name"), "Clinic"));
    cr_assert(eq(str, (char *)s(json_object_get(a, "onboarding-request"), "status"), "claimed"));
    json_decref(j);
    j = invitation_resource(&i);
    a = json_object_get(j, "attributes");
    cr_assert(eq(str, (char *)s(a, "invited-email"), "b@example.com"));
    cr_assert(truth(json_is_null(json_object_get(a, "claimed-time"))));
    json_decref(j);
}
