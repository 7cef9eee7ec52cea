/* purge_rpc.c: privacy.rpc.Purge, privacy's own step of its deletion saga
 * (libcommon/cm_purge.h): the person's privacy settings and what
 * organizations requested of them go, and the archive requests and
 * anonymous accesses they made, and aggregation results that hold them. (Deletion requests are not purged
 * here: saga.c turns them into tombstones when every step is done.) A table
 * that holds a person's data gets one line in store_purge.c. */
#include "cm_purge.h"
#include "store_purge.h"
#include "handlers.h"

cm_err privacy_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                         uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, store_purge_statements, NULL, out_payload, out_len);
}
