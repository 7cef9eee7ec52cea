/* oauth2_json.c: the oauth2-client-settings document (handlers_oauth2.h).
 * The provider's client secret is never shown, only whether it is set. */
#include <string.h>

#include "cm_jsonapi.h"
#include "handlers_oauth2.h"

json_t *oauth2_settings_json(const struct oauth2_client_rec *r, const char *secret)
{
    json_t *uris = json_loads(r->redirect_uris, 0, NULL), *scopes = json_loads(r->scopes, 0, NULL);
    json_t *a = json_object();

    json_object_set_new(a, "client-id", json_string(r->client_id));
    json_object_set_new(a, "created-time", json_string(r->created));
    json_object_set_new(a, "grant-type", json_string(r->grant_type));
    json_object_set_new(a, "last-modified-time", json_string(r->modified));
    json_object_set_new(a, "name", json_string(r->name));
    json_object_set_new(a, "organization-id", json_string(r->organization_id));
    json_object_set_new(a, "redirect-uris", json_is_array(uris) ? uris : json_array());
    json_object_set_new(a, "scopes", json_is_array(scopes) ? scopes : json_array());
    json_object_set_new(a, "secret", cm_json_str_or_null(secret));
    json_object_set_new(a, "issuer", cm_json_str_or_null(r->issuer[0] ? r->issuer : NULL));
    json_object_set_new(a, "provider-client-id",
                        cm_json_str_or_null(r->provider_client_id[0] ? r->provider_client_id : NULL));
    json_object_set_new(a, "provider-client-secret-set",
                        json_boolean(r->provider_client_secret[0] != '\0'));
    json_object_set_new(a, "account-policy", json_string(r->account_policy));
    if (!json_is_array(uris))
        json_decref(uris);
    if (!json_is_array(scopes))
        json_decref(scopes);
    return cm_jsonapi_resource("oauth2-client-settings", r->id, a);
}
