/* email_log_json.c: email-logs entries as resources (email_log_json.h). */
#include "email_log_json.h"

#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"

static const char *notification_type(const char *status)
{
    if (!strcmp(status, "sent"))
        return "Send";
    if (!strcmp(status, "bounced"))
        return "Bounce";
    if (!strcmp(status, "suppressed"))
        return "Suppressed";
    if (!strcmp(status, "queued"))
        return "Queued";
    return "Failed";
}

json_t *email_log_json(const struct email_log_entry *e, const char *source)
{
    int bounce = !strcmp(e->status, "bounced");
    json_t *a = json_object(), *r;

    json_object_set_new(a, "bounce-subtype", cm_json_str_or_null(e->bounce_subtype));
    json_object_set_new(a, "bounce-type", cm_json_str_or_null(e->bounce_type));
    json_object_set_new(a, "destination", json_string(e->recipient));
    json_object_set_new(a, "event-received", json_string(e->created_at));
    json_object_set_new(a, "notification-type", json_string(notification_type(e->status)));
    json_object_set_new(a, "ses-id",
                        json_string(bounce && e->message_ref[0] ? e->message_ref : e->id));
    json_object_set_new(a, "ses-raw",
                        json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", e->id, "channel", e->channel,
                                  "kind", e->kind, "status", e->status, "organization-id",
                                  cm_json_str_or_null(e->organization_id)));
    json_object_set_new(a, "source", json_string(source));
    json_object_set_new(a, "subject", json_string(e->subject));
    json_object_set_new(a, "timestamp", json_string(e->created_at));
    r = cm_jsonapi_resource("email-logs", "0", a);
    /* the seed's id is an integer */
    json_object_set_new(r, "id", json_integer(strtoll(e->seq, NULL, 10)));
    return r;
}

json_t *email_log_json_list(const struct email_log_list *l, const char *source)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(arr, email_log_json(&l->items[i], source));
    return arr;
}
