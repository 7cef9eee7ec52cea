/* replication_json.c: user-replications and replicators resources
 * (replication_json.h). */
#include "replication_json.h"

#include "cm_jsonapi.h"

json_t *replication_json_resource(const struct replication_rec *r)
{
    json_t *attrs = json_pack("{s:s, s:s, s:s}", "created-time", r->created_time, "service",
                              r->service, "user-id", r->user_id);

    return attrs ? cm_jsonapi_resource("user-replications", r->id, attrs) : NULL;
}

json_t *replication_json_list(const struct replication_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, replication_json_resource(&l->items[i]));
    return data;
}

json_t *replicator_json_resource(const struct replicator_rec *r)
{
    json_t *attrs = json_pack("{s:s, s:s, s:s, s:o}", "name", r->name, "classpath", r->classpath,
                              "created-time", r->created_time, "last-poll-time",
                              cm_json_str_or_null(r->last_poll_time));

    return attrs ? cm_jsonapi_resource("replicators", r->id, attrs) : NULL;
}

json_t *replicator_json_list(const struct replicator_list *l)
{
    json_t *data = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(data, replicator_json_resource(&l->items[i]));
    return data;
}
