/* notes_json.c: general messages and feedback comments as resources
 * (notes_json.h). */
#include "notes_json.h"

#include "cm_jsonapi.h"

json_t *general_message_json(const struct general_message_rec *m)
{
    json_t *a = json_object();

    json_object_set_new(a, "created-time", json_string(m->created_at));
    json_object_set_new(a, "last-modified-time", json_string(m->updated_at));
    json_object_set_new(a, "locale", json_string(m->locale));
    json_object_set_new(a, "message", json_string(m->message));
    json_object_set_new(a, "name", json_string(m->name));
    json_object_set_new(a, "organization-id", json_string(m->organization_id));
    return cm_jsonapi_resource("organization-general-messages", m->id, a);
}

json_t *general_message_json_list(const struct general_message_list *l)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(arr, general_message_json(&l->items[i]));
    return arr;
}

json_t *feedback_json(const struct feedback_rec *f)
{
    json_t *a = json_object();

    json_object_set_new(a, "comment", json_string(f->comment));
    json_object_set_new(a, "created-by", json_string(f->created_by));
    json_object_set_new(a, "created-time", json_string(f->created_at));
    json_object_set_new(a, "current-page", cm_json_str_or_null(f->current_page));
    json_object_set_new(a, "email", json_null());
    json_object_set_new(a, "individual-id", cm_json_str_or_null(f->individual_id));
    return cm_jsonapi_resource("feedback-comments", f->id, a);
}

json_t *feedback_json_list(const struct feedback_list *l)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(arr, feedback_json(&l->items[i]));
    return arr;
}
