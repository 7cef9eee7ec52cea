/* template_json.h: organization email and SMS templates as JSON:API
 * resources (#81-#84, #93-#96). Pure. */
#ifndef MESSAGING_TEMPLATE_JSON_H
#define MESSAGING_TEMPLATE_JSON_H

#include <jansson.h>

#include "store_templates.h"

/* One template as a resource of type "organization-email-templates" or
 * "organization-sms-templates" (by t->channel). New reference. */
json_t *template_json(const struct template_rec *t);

/* Every item of l, as an array. New reference. */
json_t *template_json_list(const struct template_list *l);

#endif
