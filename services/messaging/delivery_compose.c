/* delivery_compose.c: a templated message's subject and body
 * (delivery_compose.h). */
#include "delivery_compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "store_templates.h"
#include "templates_defaults.h"

cm_err compose_check(const struct compose_in *in, char *why, size_t whylen)
{
    if (!template_type_known(in->channel, in->type)) {
        snprintf(why, whylen, "template_type is not a %s template type", in->channel);
        return CM_EINVAL;
    }
    if (in->locale[0] && !template_locale_known(in->locale)) {
        snprintf(why, whylen, "locale must be en_US or es_US");
        return CM_EINVAL;
    }
    if (in->theme_id[0] && !cm_uuid_valid(in->theme_id)) {
        snprintf(why, whylen, "theme_id must be a uuid or empty");
        return CM_EINVAL;
    }
    if (in->vars.n > DELIVERY_MAX_VARS) {
        snprintf(why, whylen, "more than %d variables", DELIVERY_MAX_VARS);
        return CM_EINVAL;
    }
    for (size_t i = 0; i < in->vars.n; i++) {
        size_t n = strlen(in->vars.names[i]);
        if (n == 0 || n > TEMPLATE_MAX_NAME || strlen(in->vars.values[i]) > DELIVERY_MAX_VALUE) {
            snprintf(why, whylen,
                     "variable %zu: a name of 1..%d characters and a value of at "
                     "most %d bytes",
                     i, TEMPLATE_MAX_NAME, DELIVERY_MAX_VALUE);
            return CM_EINVAL;
        }
    }
    return CM_OK;
}

/* Renders subject and body with in's variables into out. */
static cm_err render(const struct compose_in *in, const char *subject, const char *body,
                     const char *format, struct compose_out *out, char *why, size_t whylen)
{
    int html = !strcmp(format, "html");
    cm_err err = template_render(subject, &in->vars, 0, 1, &out->subject, why, whylen);

    if (err != CM_OK)
        return err;
    err = template_render(body, &in->vars, html, 0, &out->body, why, whylen);
    if (err != CM_OK) {
        free(out->subject);
        out->subject = NULL;
        return err;
    }
    out->format = html ? "html" : "txt";
    return CM_OK;
}

cm_err compose(PGconn *pg, const struct compose_in *in, struct compose_out *out, char *why,
               size_t whylen)
{
    const char *locale = in->locale[0] ? in->locale : "en_US";
    const struct template_default *d;
    struct template_list l = {0, NULL, NULL};
    cm_err err = CM_ENOTFOUND;

    memset(out, 0, sizeof *out);
    if (in->organization_id[0])
        err = store_template_pick(pg, in->channel, in->organization_id, in->theme_id, in->type,
                                  locale, &l);
    if (err == CM_OK) {
        const struct template_rec *t = &l.items[0];
        err = render(in, t->subject, t->body, t->format, out, why, whylen);
        store_template_list_free(&l);
        if (err == CM_OK) {
            out->source = "organization";
            return CM_OK;
        }
        if (err == CM_ETOOBIG)
            return err;
        cm_warn("template %s of an organization does not render, the default is used: %s", in->type,
                why);
    } else if (err != CM_ENOTFOUND) {
        snprintf(why, whylen, "the organization's templates could not be read");
        return err;
    }
    d = template_default_find(in->channel, in->type, locale);
    if (!d) {
        snprintf(why, whylen, "no template of type %s", in->type);
        return CM_EINVAL;
    }
    err = render(in, d->subject, d->body, d->format, out, why, whylen);
    out->source = "default";
    return err;
}

void compose_release(struct compose_out *out)
{
    free(out->subject);
    free(out->body);
    memset(out, 0, sizeof *out);
}
