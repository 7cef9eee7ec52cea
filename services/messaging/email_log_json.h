/* email_log_json.h: email-logs entries (#22) as JSON:API resources. The
 * attribute names are the seed's, which look like Amazon SES feedback:
 * notification-type is "Send", "Queued" (waiting for a remote transport),
 * "Failed", "Suppressed" or "Bounce";
 * ses-id is messaging's message id (for a bounce, the send it reports on);
 * ses-raw carries channel, kind and status. Pure. */
#ifndef MESSAGING_EMAIL_LOG_JSON_H
#define MESSAGING_EMAIL_LOG_JSON_H

#include <jansson.h>

#include "store_email_logs.h"

/* One entry; source is the sender shown (the configured From). New
 * reference. */
json_t *email_log_json(const struct email_log_entry *e, const char *source);

/* Every entry of l as an array. New reference. */
json_t *email_log_json_list(const struct email_log_list *l, const char *source);

#endif
