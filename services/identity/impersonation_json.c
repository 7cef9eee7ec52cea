/* impersonation_json.c: impersonation-requests resources (impersonation_json.h). */
#include "impersonation_json.h"

#include "cm_jsonapi.h"

json_t *imp_json_resource(const struct imp_rec *r)
{
    json_t *attrs = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:o, s:o}", "created-at",
                              r->created_at, "created-by", r->created_by, "state", r->state, "user",
                              "email", r->user_email, "id", r->user_id, "expires-at", r->expires_at,
                              "organization-id", cm_json_str_or_null(r->organization_id),
                              "session-id", cm_json_str_or_null(r->session_id));

    return attrs ? cm_jsonapi_resource("impersonation-requests", r->id, attrs) : NULL;
}

json_t *imp_json_list(const struct imp_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, imp_json_resource(&l->items[i]));
    return data;
}
