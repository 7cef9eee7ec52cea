/* store_purge.c: SQL of privacy's step of privacy's deletion saga
 * (store_purge.h; run by purge_rpc.c through libcommon/cm_purge). */
#include "store_purge.h"

#include <stddef.h>

const char *const store_purge_statements[] = {
    "DELETE FROM participant_settings WHERE user_id = $1::uuid",
    "DELETE FROM participant_requests WHERE user_id = $1::uuid",
    "DELETE FROM archive_requests WHERE created_by = $1::uuid", /* answers cascade */
    "DELETE FROM anonymous_accesses WHERE user_id = $1::uuid",
    "DELETE FROM aggregation_requests WHERE created_by = $1::uuid OR EXISTS (SELECT 1 FROM "
    "unnest($2::text[]) n WHERE n <> '' AND position(lower(to_json(n)::text) IN "
    "lower(result::text)) > 0)", /* a whole JSON string */
    NULL,
};
