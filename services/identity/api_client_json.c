/* api_client_json.c: api-clients resources from records (api_client_json.h). */
#include "api_client_json.h"

#include "cm_jsonapi.h"

json_t *api_client_json_resource(const struct api_client_rec *c, const char *key)
{
    json_t *attrs, *roles = json_loads(c->roles, 0, NULL);

    if (!json_is_array(roles)) {
        json_decref(roles);
        return NULL;
    }
    attrs = json_pack("{s:s, s:o, s:o, s:s, s:s, s:o}", "name", c->name, "organization-id",
                      cm_json_str_or_null(c->organization_id), "roles", roles, "api-user-id",
                      c->api_user_id, "created-at", c->created_at, "revoked-at",
                      cm_json_str_or_null(c->revoked_at));
    if (attrs && key)
        json_object_set_new(attrs, "api-key", json_string(key));
    return attrs ? cm_jsonapi_resource("api-clients", c->id, attrs) : NULL;
}

json_t *api_client_json_list(const struct api_client_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, api_client_json_resource(&l->items[i], NULL));
    return data;
}
