/* purge_rpc.c: privacy.rpc.Purge, privacy's own step of its deletion saga
 * (libcommon/cm_purge.h): the person's privacy settings and what
 * organizations requested of them go, and the archive requests and
 * anonymous accesses they made, and aggregation results that hold them. (Deletion requests are not purged
 * here: saga.c turns them into tombstones when every step is done.) A table
 * that holds a person's data gets one line here. */
#include "cm_purge.h"
#include "handlers.h"

static const char *const purge_statements[] = {
    "DELETE FROM participant_settings WHERE user_id = $1::uuid",
    "DELETE FROM participant_requests WHERE user_id = $1::uuid",
    "DELETE FROM archive_requests WHERE created_by = $1::uuid", /* answers cascade */
    "DELETE FROM anonymous_accesses WHERE user_id = $1::uuid",
    "DELETE FROM aggregation_requests WHERE created_by = $1::uuid OR EXISTS (SELECT 1 FROM "
    "unnest($2::text[]) n WHERE n <> '' AND position(lower(to_json(n)::text) IN "
    "lower(result::text)) > 0)", /* a whole JSON string */
    NULL,
};

cm_err privacy_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                         uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, purge_statements, NULL, out_payload, out_len);
}
