/* purge_rpc.c: onboarding.rpc.Purge (purge_rpc.h): the person's sign-up
 * requests (names, email, phone, recipient) and their throttling rows go,
 * their agreements, check-ins, the onboarding requests and registration
 * invitations about them; what they created for others keeps no trace of
 * them. A table that holds a person's
 * data gets one line in store_purge.c. */
#include "cm_purge.h"
#include "store_purge.h"
#include "purge_rpc.h"

cm_err onboarding_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, store_purge_statements, NULL, out_payload, out_len);
}
