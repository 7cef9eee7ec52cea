/* theme_json.c: organization-themes resources (theme_json.h). */
#include "theme_json.h"

#include "cm_jsonapi.h"

/* {first-name, id, last-name} of a user, or null when id is "". */
static json_t *who(const char *id, const char *first, const char *last)
{
    return id[0] ? json_pack("{s:s, s:s, s:s}", "first-name", first, "id", id, "last-name", last)
                 : json_null();
}

json_t *theme_json_resource(const struct theme_rec *t)
{
    json_t *attrs = json_pack(
        "{s:o, s:s, s:s, s:b, s:o, s:s, s:s, s:s}", "created-by",
        who(t->created_by_id, t->created_by_first_name, t->created_by_last_name), "created-time",
        t->created_time, "domain", t->domain, "is-active", t->is_active, "last-modified-by",
        who(t->modified_by_id, t->modified_by_first_name, t->modified_by_last_name),
        "last-modified-time", t->last_modified_time, "support-email", t->support_email,
        "support-email-name", t->support_email_name);

    return attrs ? cm_jsonapi_resource("organization-themes", t->id, attrs) : NULL;
}

json_t *theme_json_list(const struct theme_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, theme_json_resource(&l->items[i]));
    return data;
}
