/* purge_rpc.c: authz.rpc.Purge, authz's step of privacy's deletion saga
 * (libcommon/cm_purge.h): the projection forgets the person (user,
 * memberships, roles), their individuals leave every group and go, their
 * leaderships and memberships go, and their id is blanked where they acted
 * on others (created_by, added_by) and from group logs, and from the access
 * index's change log once every copy applied it. A table that holds
 * a person's data gets one line in store_purge.c. */
#include <string.h>

#include "cm_pg.h"
#include "cm_purge.h"
#include "store_purge.h"
#include "privacy_rpc.h"

/* The access index's change log (index_log) names the person in the rows
 * the deletions above write, and those rows must reach every copy of
 * authz. So: the rows naming them that every live copy has applied go (as
 * access_index_sync.c's prune does, raising index_pruned so that a copy
 * away longer rebuilds), and the step is not done while the person is
 * still projected or a row naming them remains (the next call, after the
 * copies applied the deletions, finishes it). */
static cm_err index_log_hook(struct cm_worker *w, const char *user_id, int *out_done)
{
    int remains = 0;
    cm_err err = store_purge_index_log(w->pg, user_id, &remains);

    if (err == CM_OK && remains)
        *out_done = 0;
    return err;
}

cm_err authz_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                       uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, store_purge_statements, index_log_hook, out_payload, out_len);
}
