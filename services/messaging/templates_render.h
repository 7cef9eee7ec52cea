/* templates_render.h: the template language of messaging's email and SMS
 * templates (README "Delivery: templates, transports, email logs"), small
 * enough to read in one sitting, pure and unit-tested:
 *
 *   {{name}}        the variable's value; in an HTML template &, <, >, " and '
 *                   are escaped (the default is safe), in a text or SMS
 *                   template it is inserted as is
 *   {{{name}}}      the value unescaped (HTML the caller vouches for)
 *   {{#name}}..{{/name}}  the part between, when the value is not empty
 *   {{^name}}..{{/name}}  the part between, when the value is empty
 *
 * Names are 1..64 of [A-Za-z0-9_.-], spaces around them allowed; an unknown
 * variable is empty. Sections do not nest. Anything else between {{ and }}
 * is an error, found when a template is saved (template_check), so that a
 * stored template always renders. */
#ifndef MESSAGING_TEMPLATES_RENDER_H
#define MESSAGING_TEMPLATES_RENDER_H

#include <stddef.h>

#include "cm_err.h"

#define TEMPLATE_MAX_NAME 64
#define TEMPLATE_MAX_OUT (256 * 1024) /* a rendered message, in bytes */

/* Variables: n names and values, borrowed, NUL-terminated. */
struct template_vars {
    size_t n;
    const char *const *names;
    const char *const *values;
};

/* Checks that text is a well-formed template. CM_OK, or CM_EINVAL with the
 * reason and byte offset in why (whylen bytes). */
cm_err template_check(const char *text, char *why, size_t whylen);

/* Renders text with vars; html: escape {{name}} values for HTML;
 * one_line: CR and LF in values become spaces (subjects, headers). On CM_OK
 * *out is the NUL-terminated result (caller frees). CM_EINVAL for a
 * malformed template (why as template_check), CM_ETOOBIG when the result
 * would pass TEMPLATE_MAX_OUT. */
cm_err template_render(const char *text, const struct template_vars *vars, int html, int one_line,
                       char **out, char *why, size_t whylen);

#endif
