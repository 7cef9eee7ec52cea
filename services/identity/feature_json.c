/* feature_json.c: feature flag resources from records (feature_json.h). */
#include "feature_json.h"

#include "cm_jsonapi.h"
#include "features_resolve.h"

json_t *feature_json_resource(const struct feature_rec *f, int with_enabled)
{
    json_t *attrs = json_pack("{s:b, s:s, s:s, s:b, s:s, s:s}", "assignable", f->assignable,
                              "created-time", f->created_time, "description", f->description,
                              "global-enabled", f->global_enabled, "last-modified-time",
                              f->last_modified_time, "stage", f->stage);

    if (attrs && with_enabled)
        json_object_set_new(attrs, "enabled", json_boolean(features_enabled(f)));
    return attrs ? cm_jsonapi_resource("features", f->id, attrs) : NULL;
}

json_t *feature_json_list(const struct feature_list *l, int with_enabled)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, feature_json_resource(&l->items[i], with_enabled));
    return data;
}

json_t *feature_json_layer(const struct layer_rec *r, int user)
{
    json_t *attrs;

    if (user)
        attrs = json_pack("{s:s, s:s, s:o, s:s, s:b, s:s, s:s}", "feature-id", r->feature_id,
                          "feature-name", r->feature_id, "organization-id",
                          cm_json_str_or_null(r->organization_id), "state", r->state, "force",
                          r->force, "user-email", r->user_email, "user-id", r->user_id);
    else
        attrs = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:b}", "feature-assignable",
                          r->feature_assignable, "feature-id", r->feature_id, "feature-name",
                          r->feature_id, "organization-id", r->organization_id, "organization-name",
                          r->organization_name, "state", r->state, "force", r->force);
    return attrs
               ? cm_jsonapi_resource(user ? "user-features" : "organization-features", r->id, attrs)
               : NULL;
}

json_t *feature_json_layer_list(const struct layer_list *l, int user)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, feature_json_layer(&l->items[i], user));
    return data;
}
