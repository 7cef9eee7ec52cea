/* test_messaging_templates.c: messaging's template language (escaping by
 * default in HTML, raw values, sections, malformed tags found when saved)
 * and the built-in defaults of every template type. */
// links: services/messaging/templates_render.c services/messaging/templates_defaults.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/messaging/templates_defaults.h"
#include "../../services/messaging/templates_render.h"

static const char *const names[] = {"name", "code", "url", "empty"};
static const char *const values[] = {"Ann <b>&\"'", "123456", "https://x.test/a?b=1&c=2", ""};
static const struct template_vars vars = {4, names, values};

static char *render(const char *text, int html, int one_line)
{
    char why[200] = "", *out = NULL;
    cr_assert(eq(int, template_render(text, &vars, html, one_line, &out, why, sizeof why), CM_OK),
              "%s", why);
    return out;
}

Test(templates, escapes_values_in_html)
{
    char *s = render("<p>Hi {{name}}</p>", 1, 0);
    cr_assert(eq(str, s, "<p>Hi Ann &lt;b&gt;&amp;&quot;&#39;</p>"));
    free(s);
}

Test(templates, triple_braces_insert_raw_html)
{
    char *s = render("{{{name}}}", 1, 0);
    cr_assert(eq(str, s, "Ann <b>&\"'"));
    free(s);
}

Test(templates, text_templates_are_not_escaped)
{
    char *s = render("Hi {{ name }}, code {{code}}.", 0, 0);
    cr_assert(eq(str, s, "Hi Ann <b>&\"', code 123456."));
    free(s);
}

Test(templates, unknown_variables_are_empty)
{
    char *s = render("[{{nope}}]", 1, 0);
    cr_assert(eq(str, s, "[]"));
    free(s);
}

Test(templates, sections_show_or_hide)
{
    char *s =
        render("a{{#url}} open {{url}}{{/url}}b{{#empty}}X{{/empty}}{{^empty}}E{{/empty}}", 0, 0);
    cr_assert(eq(str, s, "a open https://x.test/a?b=1&c=2bE"));
    free(s);
}

Test(templates, one_line_turns_newlines_into_spaces)
{
    const char *const n[] = {"s"};
    const char *const v[] = {"a\r\nBcc: x@y"};
    struct template_vars tv = {1, n, v};
    char why[100], *out = NULL;
    cr_assert(eq(int, template_render("Re: {{s}}", &tv, 0, 1, &out, why, sizeof why), CM_OK));
    cr_assert(eq(str, out, "Re: a  Bcc: x@y"));
    free(out);
}

static const char *const malformed[] = {
    "{{",           "{{}}",   "{{a b}}", "{{{a}}", "{{#a}}x", "{{/a}}", "{{#a}}{{#b}}{{/b}}{{/a}}",
    "{{#a}}{{/b}}", "{{a!}}",
};

ParameterizedTestParameters(templates, finds_malformed_tags)
{
    static size_t idx[sizeof malformed / sizeof malformed[0]];
    for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++)
        idx[k] = k;
    return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, templates, finds_malformed_tags)
{
    char why[200] = "", *out = NULL;
    cr_assert(eq(int, template_check(malformed[*i], why, sizeof why), CM_EINVAL), "%s",
              malformed[*i]);
    cr_assert(why[0] != '\0');
    cr_assert(
        eq(int, template_render(malformed[*i], &vars, 0, 0, &out, why, sizeof why), CM_EINVAL));
    cr_assert(out == NULL);
}

Test(templates, refuses_results_over_the_limit)
{
    char *big = malloc(TEMPLATE_MAX_OUT + 2), why[100], *out = NULL;
    memset(big, 'x', TEMPLATE_MAX_OUT + 1);
    big[TEMPLATE_MAX_OUT + 1] = '\0';
    cr_assert(eq(int, template_render(big, &vars, 0, 0, &out, why, sizeof why), CM_ETOOBIG));
    free(big);
}

static const char *const email_types[] = {
    "verify-email",        "reverify-email",      "forgot-password",        "onboarding",
    "onboarding-provider", "messaging-patient",   "messaging-provider",     "sign-up-code",
    "reset-code",          "email-change-notice", "registration-invitation"};
static const char *const sms_types[] = {
    "verify", "reset-password", "onboarding", "onboarding-provider", "sign-up-code", "page"};

static void check_default(const char *channel, const char *type, const char *locale)
{
    const struct template_default *d = template_default_find(channel, type, locale);
    char why[200] = "";
    cr_assert(d != NULL, "%s %s has no default", channel, type);
    cr_assert(template_type_known(channel, type));
    cr_assert(eq(int, template_check(d->subject, why, sizeof why), CM_OK), "%s: %s", type, why);
    cr_assert(eq(int, template_check(d->body, why, sizeof why), CM_OK), "%s: %s", type, why);
}

Test(templates, every_type_has_a_default_that_renders)
{
    for (size_t i = 0; i < sizeof email_types / sizeof email_types[0]; i++) {
        check_default("email", email_types[i], "en_US");
        check_default("email", email_types[i], "es_US");
    }
    for (size_t i = 0; i < sizeof sms_types / sizeof sms_types[0]; i++) {
        check_default("sms", sms_types[i], "en_US");
        check_default("sms", sms_types[i], "es_US");
    }
}

Test(templates, defaults_follow_the_locale_and_fall_back_to_en_us)
{
    cr_assert(
        eq(str, (char *)template_default_find("email", "verify-email", "es_US")->locale, "es_US"));
    cr_assert(eq(str, (char *)template_default_find("email", "reverify-email", "es_US")->locale,
                 "en_US"));
    cr_assert(template_default_find("email", "verify", "en_US") == NULL);
    cr_assert(eq(int, template_type_known("fax", "verify"), 0));
}
