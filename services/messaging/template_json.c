/* template_json.c: templates as JSON:API resources (template_json.h). */
#include "template_json.h"

#include <string.h>

#include "cm_jsonapi.h"

json_t *template_json(const struct template_rec *t)
{
    int email = !strcmp(t->channel, "email");
    json_t *a = json_object();

    json_object_set_new(a, "created-time", json_string(t->created_at));
    json_object_set_new(a, "last-modified-time", json_string(t->updated_at));
    json_object_set_new(a, "locale", json_string(t->locale));
    json_object_set_new(a, "organization-id", json_string(t->organization_id));
    json_object_set_new(a, "template", json_string(t->body));
    json_object_set_new(a, "theme-id", cm_json_str_or_null(t->theme_id));
    json_object_set_new(a, "type", json_string(t->type));
    if (email) {
        json_object_set_new(a, "format", json_string(t->format));
        json_object_set_new(a, "subject", json_string(t->subject));
        json_object_set_new(a, "support-email", cm_json_str_or_null(t->support_email));
        json_object_set_new(a, "support-email-title", cm_json_str_or_null(t->support_email_title));
    }
    return cm_jsonapi_resource(
        email ? "organization-email-templates" : "organization-sms-templates", t->id, a);
}

json_t *template_json_list(const struct template_list *l)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(arr, template_json(&l->items[i]));
    return arr;
}
