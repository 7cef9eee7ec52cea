/* templates_input.h: the input of the organization email and SMS template
 * operations (#81-#84, #93-#96): the list's query and the JSON:API
 * bodies of create and update, read into plain structs. Errors go to rq
 * (cm_fail_at with the parameter or JSON pointer) as CM_EINVAL. */
#ifndef MESSAGING_TEMPLATES_INPUT_H
#define MESSAGING_TEMPLATES_INPUT_H

#include <jansson.h>

#include "cm_jsonapi.h"
#include "cm_service.h"
#include "store_templates.h"

#define TEMPLATE_MAX_BODY_CHARS 65536
#define TEMPLATE_MAX_SUBJECT_CHARS 998

/* Which resource: "organization-email-templates" or
 * "organization-sms-templates". */
struct template_kind {
    const char *channel; /* "email" | "sms" */
    const char *type;    /* JSON:API type */
};

/* The list's query: filter[type], filter[locale], filter[format] (email),
 * organization-id, theme-id, page. Strings live in the struct. */
struct template_query {
    char type[65], locale[8], format[8];
    char organization_id[CM_UUID_LEN + 1], theme_id[CM_UUID_LEN + 1];
    long limit, offset;
};

cm_err template_query_read(struct cm_req *rq, const struct template_kind *k,
                           struct template_query *q);

/* A create (id NULL: organization-id, type and template required) or an
 * update (id: data.id must match) body into *f, borrowing from *out_doc
 * (caller json_decref). Checks the type against the channel's types, the
 * locale, the format and that the template (and subject) parse. */
cm_err template_body_read(struct cm_req *rq, const struct template_kind *k, const char *id,
                          struct template_fields *f, json_t **out_doc);

#endif
