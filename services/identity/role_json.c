/* role_json.c: roles and role-users resources from records (role_json.h). */
#include "role_json.h"

#include <stdlib.h>

#include "cm_jsonapi.h"

json_t *role_json_resource(const struct role_rec *r)
{
    json_t *attrs = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s}", "display-name", r->display_name,
                              "name", r->name, "organization", "display-name",
                              r->organization_display_name, "id", r->organization_id, "name",
                              r->organization_name, "organization-id", r->organization_id);

    return attrs ? cm_jsonapi_resource("roles", r->id, attrs) : NULL;
}

json_t *role_json_user_resource(const struct role_user_rec *ru)
{
    return json_pack("{s:s, s:I, s:{s:{s:s, s:s}, s:{s:s, s:s}}}", "type", "role-users", "id",
                     (json_int_t)strtoll(ru->id, NULL, 10), "attributes", "role", "id", ru->role_id,
                     "name", ru->role_name, "user", "email", ru->user_email, "id", ru->user_id);
}

json_t *role_json_list(const struct role_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, role_json_resource(&l->items[i]));
    return data;
}

json_t *role_json_user_list(const struct role_user_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, role_json_user_resource(&l->items[i]));
    return data;
}
