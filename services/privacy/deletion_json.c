/* deletion_json.c: deletion requests rendered (deletion_json.h). */
#include "deletion_json.h"

#include "cm_jsonapi.h"

json_t *deletion_json(const struct deletion_rec *rec)
{
    json_t *progress = json_array();
    for (size_t i = 0; i < rec->nsteps; i++)
        json_array_append_new(progress,
                              json_pack("{s:s,s:s,s:s,s:s}", "app", rec->steps[i].app,
                                        "operation", rec->steps[i].operation, "state",
                                        rec->steps[i].state, "reference-id",
                                        rec->steps[i].reference_id));
    return cm_jsonapi_resource(
        "deletion-requests", rec->id,
        json_pack("{s:b,s:o,s:s,s:o,s:n,s:o,s:s,s:s}", "archive", rec->archive, "created-by",
                  cm_json_str_or_null(rec->user_id), "created-time", rec->created_at, "email",
                  cm_json_str_or_null(rec->email), "individual-id", "progress", progress,
                  "status", rec->status, "type", rec->type));
}
