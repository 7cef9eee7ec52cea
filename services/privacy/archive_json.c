/* archive_json.c: archive requests rendered (archive_json.h). */
#include "archive_json.h"

#include "cm_jsonapi.h"

json_t *archive_json(const struct archive_rec *r)
{
    return cm_jsonapi_resource(
        "archive-requests", r->id,
        json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:s}", "created-by", r->created_by, "created-time",
                  r->created_at, "email", cm_json_str_or_null(r->email), "individual-id",
                  r->individual_id, "interview-id", r->interview_id, "last-modified-time",
                  r->last_modified, "request-state", r->request_state));
}
