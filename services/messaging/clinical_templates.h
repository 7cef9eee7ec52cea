/* clinical_templates.h: the clinical API's own texts (the activation email
 * of admin/users, the message of POST page) rendered from delivery's
 * templates: the organization's template of the type when it has one, else
 * the built-in default (delivery_compose.h, templates_defaults.c). */
#ifndef MESSAGING_CLINICAL_TEMPLATES_H
#define MESSAGING_CLINICAL_TEMPLATES_H

#include <libpq-fe.h>
#include <stddef.h>

#include "delivery_compose.h"

/* Template types of the clinical API. */
#define CLINICAL_TPL_ACTIVATION "clinical-activation" /* email: name, user_id, organization_name */
#define CLINICAL_TPL_PAGE "page" /* sms: sender_name, message, organization_name */

/* Renders type of channel for organization org_id (uuid) in en_US with the
 * n variables names[i] = values[i] into *out (caller compose_release).
 * CM_EINVAL for variables delivery refuses (too long), else compose's
 * errors (CM_EUNAVAIL...). */
cm_err clinical_render(PGconn *pg, const char *channel, const char *type, const char *org_id,
                       const char *const *names, const char *const *values, size_t n,
                       struct compose_out *out);

#endif
