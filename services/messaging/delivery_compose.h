/* delivery_compose.h: turns a templated DeliverRequest (a template type,
 * a locale and variables) into the subject and body to send: the
 * organization's template (store_templates.h) or the built-in default
 * (templates_defaults.h), rendered by templates_render.h. */
#ifndef MESSAGING_DELIVERY_COMPOSE_H
#define MESSAGING_DELIVERY_COMPOSE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "templates_render.h"

#define DELIVERY_MAX_VARS 64
#define DELIVERY_MAX_VALUE 4096 /* bytes of one variable's value */

/* What to compose; strings borrowed ("" for absent). */
struct compose_in {
    const char *channel, *type, *locale, *organization_id, *theme_id;
    struct template_vars vars;
};

/* The composed message (caller compose_release). source says whose
 * template it came from: "organization" or "default". */
struct compose_out {
    char *subject, *body;
    const char *format; /* "txt" | "html", static */
    const char *source; /* static */
};

/* Checks in (type known for channel, locale "" or known, variables within
 * DELIVERY_MAX_VARS and DELIVERY_MAX_VALUE, names of 1..64 characters);
 * CM_EINVAL with why. */
cm_err compose_check(const struct compose_in *in, char *why, size_t whylen);

/* Composes in (checked) into *out. The organization's template wins when
 * there is one; errors reading it are returned (CM_EUNAVAIL...), a stored
 * template that does not render falls back to the default (logged). */
cm_err compose(PGconn *pg, const struct compose_in *in, struct compose_out *out, char *why,
               size_t whylen);

void compose_release(struct compose_out *out);

#endif
