/* test_messaging_delivery_json.c: the JSON:API documents of messaging's
 * delivery resources: templates (email ones with subject and support
 * address, SMS ones without), email-logs entries with integer ids and SES
 * notification types, short links with their public URL, general messages
 * and feedback comments. */
// clang-format off
// links: services/messaging/template_json.c services/messaging/email_log_json.c services/messaging/short_link_json.c services/messaging/notes_json.c
// clang-format on
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "../../services/messaging/email_log_json.h"
#include "../../services/messaging/notes_json.h"
#include "../../services/messaging/short_link_json.h"
#include "../../services/messaging/template_json.h"

#define T0 "2026-01-02T03:04:05.000006Z"

static const char *s(const json_t *r, const char *name)
{
    const char *v = json_string_value(json_object_get(json_object_get(r, "attributes"), name));
    return v ? v : "(none)";
}

static int is_null(const json_t *r, const char *name)
{
    return json_is_null(json_object_get(json_object_get(r, "attributes"), name));
}

static int has(const json_t *r, const char *name)
{
    return json_object_get(json_object_get(r, "attributes"), name) != NULL;
}

Test(delivery_json, email_and_sms_templates)
{
    struct template_rec t = {"id-1", "email",       "org-1", "", "verify-email", "es_US",
                             "html", "Hi {{name}}", "",      "", "<p>x</p>",     T0,
                             T0};
    json_t *r = template_json(&t);

    cr_assert(eq(str, (char *)json_string_value(json_object_get(r, "type")),
                 "organization-email-templates"));
    cr_assert(eq(str, (char *)s(r, "template"), "<p>x</p>"));
    cr_assert(eq(str, (char *)s(r, "subject"), "Hi {{name}}"));
    cr_assert(eq(str, (char *)s(r, "format"), "html"));
    cr_assert(eq(str, (char *)s(r, "created-time"), T0));
    cr_assert(eq(int, is_null(r, "theme-id"), 1));
    cr_assert(eq(int, is_null(r, "support-email"), 1));
    json_decref(r);
    t.channel = "sms";
    r = template_json(&t);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(r, "type")),
                 "organization-sms-templates"));
    cr_assert(eq(int, has(r, "subject"), 0));
    cr_assert(eq(int, has(r, "format"), 0));
    json_decref(r);
}

Test(delivery_json, email_log_entries)
{
    struct email_log_entry e = {"42",           "msg-2",   "email", "a@example.com",
                                "verify-email", "Hello",   "",      "bounced",
                                "Permanent",    "NoEmail", "msg-1", T0};
    json_t *r = email_log_json(&e, "no-reply@example.com");

    cr_assert(eq(int, (int)json_integer_value(json_object_get(r, "id")), 42));
    cr_assert(eq(str, (char *)s(r, "notification-type"), "Bounce"));
    cr_assert(eq(str, (char *)s(r, "ses-id"), "msg-1"));
    cr_assert(eq(str, (char *)s(r, "bounce-type"), "Permanent"));
    cr_assert(eq(str, (char *)s(r, "source"), "no-reply@example.com"));
    cr_assert(eq(str, (char *)s(r, "destination"), "a@example.com"));
    json_decref(r);
    e.status = "sent";
    e.bounce_type = "";
    r = email_log_json(&e, "x@example.com");
    cr_assert(eq(str, (char *)s(r, "notification-type"), "Send"));
    cr_assert(eq(str, (char *)s(r, "ses-id"), "msg-2"));
    cr_assert(eq(int, is_null(r, "bounce-type"), 1));
    json_decref(r);
    e.status = "queued";
    r = email_log_json(&e, "x@example.com");
    cr_assert(eq(str, (char *)s(r, "notification-type"), "Queued"));
    json_decref(r);
    e.status = "failed";
    r = email_log_json(&e, "x@example.com");
    cr_assert(eq(str, (char *)s(r, "notification-type"), "Failed"));
    json_decref(r);
}

Test(delivery_json, short_links)
{
    struct short_link_rec l = {"id-3",
                               "AbCd1234",
                               "org-1",
                               "https",
                               "app.example.com",
                               "/x?y",
                               "",
                               T0,
                               "https://app.example.com/x?y",
                               7};
    json_t *r = short_link_json(&l, "https://go.example.com");

    cr_assert(eq(str, (char *)s(r, "short-url"), "https://go.example.com/s/AbCd1234"));
    cr_assert(eq(str, (char *)s(r, "redirect-url"), "https://app.example.com/x?y"));
    cr_assert(eq(int,
                 (int)json_integer_value(
                     json_object_get(json_object_get(r, "attributes"), "redirect-count")),
                 7));
    cr_assert(eq(int, is_null(r, "expires-at"), 1));
    json_decref(r);
}

Test(delivery_json, general_messages_and_feedback)
{
    struct general_message_rec m = {"id-4", "org-1", "contact", "en_US", "Call us", T0, T0};
    struct feedback_rec f = {"id-5", "user-1", "org-1", "", "Slow", "/charts", T0};
    json_t *r = general_message_json(&m);

    cr_assert(eq(str, (char *)s(r, "name"), "contact"));
    cr_assert(eq(str, (char *)s(r, "message"), "Call us"));
    json_decref(r);
    r = feedback_json(&f);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(r, "type")), "feedback-comments"));
    cr_assert(eq(str, (char *)s(r, "created-by"), "user-1"));
    cr_assert(eq(int, is_null(r, "email"), 1));
    cr_assert(eq(int, is_null(r, "individual-id"), 1));
    cr_assert(eq(str, (char *)s(r, "current-page"), "/charts"));
    json_decref(r);
}
