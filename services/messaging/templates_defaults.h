/* templates_defaults.h: the template types messaging knows and the built-in
 * default of each (README "Delivery: templates, transports, email logs"
 * lists them with their variables), used when an organization has no
 * template of its own for a type and locale. Pure data and lookups. */
#ifndef MESSAGING_TEMPLATES_DEFAULTS_H
#define MESSAGING_TEMPLATES_DEFAULTS_H

/* One built-in template. Strings are static. */
struct template_default {
    const char *channel; /* "email" | "sms" */
    const char *type;
    const char *locale;  /* "en_US" | "es_US" */
    const char *format;  /* "txt" | "html" (sms: "txt") */
    const char *subject; /* "" for sms */
    const char *body;
};

/* True when type is a template type of channel ("email" or "sms"). */
int template_type_known(const char *channel, const char *type);

/* True when locale is one messaging serves ("en_US", "es_US"). */
int template_locale_known(const char *locale);

/* The built-in template of (channel, type, locale), falling back to en_US;
 * NULL when type is unknown for channel. Borrowed (static). */
const struct template_default *template_default_find(const char *channel, const char *type,
                                                     const char *locale);

#endif
