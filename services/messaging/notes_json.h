/* notes_json.h: organization-general-messages (#89-#92) and
 * feedback-comments (#29-#31) as JSON:API resources. Pure. */
#ifndef MESSAGING_NOTES_JSON_H
#define MESSAGING_NOTES_JSON_H

#include <jansson.h>

#include "store_notes.h"

json_t *general_message_json(const struct general_message_rec *m);
json_t *general_message_json_list(const struct general_message_list *l);

/* email is always null: messaging does not hold people's addresses. */
json_t *feedback_json(const struct feedback_rec *f);
json_t *feedback_json_list(const struct feedback_list *l);

#endif
