/* templates_defaults.c: the built-in templates of every type (the defaults
 * of templates_defaults.h). Each names its variables in {{...}}; a variable
 * a caller does not send renders empty, and sections ({{#url}}) leave out
 * the lines that would be empty. */
#include "templates_defaults.h"

#include <stddef.h>
#include <string.h>

static const char *const email_types[] = {
    "verify-email",        "reverify-email",      "forgot-password",         "onboarding",
    "onboarding-provider", "messaging-patient",   "messaging-provider",      "sign-up-code",
    "reset-code",          "email-change-notice", "registration-invitation", "clinical-activation",
    NULL};
static const char *const sms_types[] = {
    "verify", "reset-password", "onboarding", "onboarding-provider", "sign-up-code", "page", NULL};

#define SIGN "\n\n{{#organization_name}}{{organization_name}}\n{{/organization_name}}"
#define HELLO "{{#name}}Hello {{name}},\n\n{{/name}}"
#define HOLA "{{#name}}Hola {{name}},\n\n{{/name}}"
#define TTL "{{#ttl_minutes}} It expires in {{ttl_minutes}} minutes.{{/ttl_minutes}}"
#define TTL_ES "{{#ttl_minutes}} Vence en {{ttl_minutes}} minutos.{{/ttl_minutes}}"

static const struct template_default defaults[] = {
    {"email", "verify-email", "en_US", "txt", "Confirm your email address",
     HELLO "Your confirmation code is {{code}}." TTL "{{#url}}\nOr open {{url}}{{/url}}\n"
           "If you did not ask for it, ignore this message." SIGN},
    {"email", "verify-email", "es_US", "txt", "Confirme su correo electrónico",
     HOLA "Su código de confirmación es {{code}}." TTL_ES "{{#url}}\nO abra {{url}}{{/url}}\n"
          "Si no lo pidió, ignore este mensaje." SIGN},
    {"email", "reverify-email", "en_US", "txt", "Confirm your new email address",
     HELLO "Your confirmation code is {{code}}." TTL SIGN},
    {"email", "forgot-password", "en_US", "txt", "Reset your password",
     HELLO "Your password reset code is {{code}}." TTL "{{#url}}\nOr open {{url}}{{/url}}\n"
           "If you did not ask for it, ignore this message." SIGN},
    {"email", "forgot-password", "es_US", "txt", "Restablezca su contraseña",
     HOLA "Su código para restablecer la contraseña es {{code}}." TTL_ES "{{#url}}\nO abra "
          "{{url}}{{/url}}\nSi no lo pidió, ignore este mensaje." SIGN},
    {"email", "reset-code", "en_US", "txt", "Your password reset code",
     "Your password reset code is {{code}}." TTL SIGN},
    {"email", "sign-up-code", "en_US", "txt", "Your sign-up code",
     "Your sign-up confirmation code is {{code}}." SIGN},
    {"email", "email-change-notice", "en_US", "txt", "Your email address is being changed",
     "A change of your account's email address to {{new_email}} was asked for. It takes effect "
     "only once the code sent to that address is entered. If you did not ask for it, contact "
     "your administrator." SIGN},
    {"email", "onboarding", "en_US", "txt",
     "You are invited{{#organization_name}} to {{organization_name}}{{/organization_name}}",
     HELLO "{{#inviter_name}}{{inviter_name}} invited you. {{/inviter_name}}"
           "Open {{url}} to create your account.{{#code}}\nYour code is {{code}}.{{/code}}" SIGN},
    {"email", "onboarding", "es_US", "txt",
     "Está invitado{{#organization_name}} a {{organization_name}}{{/organization_name}}",
     HOLA "{{#inviter_name}}{{inviter_name}} le invitó. {{/inviter_name}}"
          "Abra {{url}} para crear su cuenta.{{#code}}\nSu código es {{code}}.{{/code}}" SIGN},
    {"email", "onboarding-provider", "en_US", "txt", "Your provider account is ready",
     HELLO "{{#inviter_name}}{{inviter_name}} added you as a provider. "
           "{{/inviter_name}}Open {{url}} to set up your account." SIGN},
    {"email", "registration-invitation", "en_US", "txt", "Your invitation",
     HELLO "Open {{url}} to register.{{#code}}\nYour code is {{code}}.{{/code}}" SIGN},
    {"email", "messaging-patient", "en_US", "txt", "You have a new message",
     HELLO "You have a new message{{#sender_name}} from {{sender_name}}"
           "{{/sender_name}}.{{#url}}\nRead it at {{url}}{{/url}}" SIGN},
    {"email", "messaging-provider", "en_US", "txt", "New message from a patient",
     HELLO "You have a new message{{#sender_name}} from {{sender_name}}"
           "{{/sender_name}}.{{#url}}\nRead it at {{url}}{{/url}}" SIGN},
    {"email", "clinical-activation", "en_US", "txt", "Activate your clinical messaging account",
     HELLO "an account was made for you (user id {{user_id}}). Choose a password with "
           "\"forgot password\" (POST /v1/forgot-password/) to activate it." SIGN},
    {"sms", "verify", "en_US", "txt", "", "Your confirmation code is {{code}}." TTL},
    {"sms", "verify", "es_US", "txt", "", "Su código de confirmación es {{code}}."},
    {"sms", "reset-password", "en_US", "txt", "", "Your password reset code is {{code}}." TTL},
    {"sms", "sign-up-code", "en_US", "txt", "", "Your sign-up code is {{code}}."},
    {"sms", "onboarding", "en_US", "txt", "",
     "{{#organization_name}}{{organization_name}}: {{/organization_name}}you are invited. "
     "Open {{url}} to join."},
    {"sms", "onboarding", "es_US", "txt", "",
     "{{#organization_name}}{{organization_name}}: {{/organization_name}}está invitado. "
     "Abra {{url}} para unirse."},
    {"sms", "onboarding-provider", "en_US", "txt", "",
     "{{#organization_name}}{{organization_name}}: {{/organization_name}}your provider account "
     "is ready. Open {{url}}"},
    {"sms", "page", "en_US", "txt", "",
     "Page{{#sender_name}} from {{sender_name}}{{/sender_name}}: {{message}}"},
};

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

int template_type_known(const char *channel, const char *type)
{
    if (!strcmp(channel, "email"))
        return in_list(email_types, type);
    if (!strcmp(channel, "sms"))
        return in_list(sms_types, type);
    return 0;
}

int template_locale_known(const char *locale)
{
    return !strcmp(locale, "en_US") || !strcmp(locale, "es_US");
}

const struct template_default *template_default_find(const char *channel, const char *type,
                                                     const char *locale)
{
    const struct template_default *fallback = NULL;

    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        const struct template_default *d = &defaults[i];
        if (strcmp(d->channel, channel) || strcmp(d->type, type))
            continue;
        if (!strcmp(d->locale, locale))
            return d;
        if (!strcmp(d->locale, "en_US"))
            fallback = d;
    }
    return fallback;
}
