/* org_json.c: organizations-side resources from records (org_json.h). */
#include "org_json.h"

#include <stdio.h>

#include "cm_jsonapi.h"

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
