/* anon_json.c: anonymous accesses rendered (anon_json.h). */
#include "anon_json.h"

#include "cm_jsonapi.h"

json_t *anon_json(const struct anon_rec *r)
{
    json_t *list = json_loads(r->endpoints, 0, NULL);
    return cm_jsonapi_resource(
        "anonymous-accesses", r->id,
        json_pack("{s:o,s:s,s:s,s:s,s:s}", "allowed-endpoints", list ? list : json_array(),
                  "created-at", r->created_at, "expired-at", r->expired_at, "last-modified-at",
                  r->last_modified_at, "user-id", r->user_id));
}
