/* org_json.c: organizations-side resources from records (org_json.h). */
#include "org_json.h"

#include <stdio.h>

#include "cm_jsonapi.h"

json_t *org_json_resource(const struct org_rec *o)
{
    json_t *attrs = json_pack(
        "{s:s, s:s, s:s, s:b, s:s, s:b, s:s, s:s, s:o, s:s}", "authorization-type",
        o->authorization_type, "classification", o->classification, "display-name", o->display_name,
        "is-active", o->is_active, "last-modified-time", o->last_modified_time, "logo-ready-to-use",
        o->logo_url[0] != '\0', "name", o->name, "provider-type", o->provider_type, "theme-id",
        cm_json_str_or_null(o->theme_id), "timezone", o->timezone);

    return attrs ? cm_jsonapi_resource("organizations", o->id, attrs) : NULL;
}

json_t *org_json_list(const struct org_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, org_json_resource(&l->items[i]));
    return data;
}

json_t *org_json_membership(const struct membership_rec *m)
{
    char id[2 * 40];
    json_t *attrs;

    snprintf(id, sizeof id, "%s:%s", m->user_id, m->organization_id);
    attrs = json_pack("{s:I, s:s, s:s, s:s, s:s}", "organization-count",
                      (json_int_t)m->organization_count, "organization-display-name",
                      m->organization_display_name, "organization-id", m->organization_id,
                      "organization-name", m->organization_name, "user-id", m->user_id);
    return attrs ? cm_jsonapi_resource("user-organizations", id, attrs) : NULL;
}

json_t *org_json_membership_list(const struct membership_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, org_json_membership(&l->items[i]));
    return data;
}
