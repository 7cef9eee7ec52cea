/* purge_rpc.c: identity's typed RPCs for privacy's deletion saga:
 * identity.rpc.VerifyPassword (re-authentication, on the slow-work pool)
 * and identity.rpc.Purge (libcommon/cm_purge.h): the account's tokens are
 * revoked (SessionRevoked, so that the edge refuses them at once) and the
 * account goes with everything that cascades from it (memberships, roles,
 * sessions, activities, codes, MFA); login throttling rows by username go
 * and the id is blanked where the person acted on others. The first call
 * answers "not done" until the revocation has been published, then a
 * repeat deletes the sent outbox rows that name the person. A table that
 * holds a person's data gets one line in store_purge.c. */
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "cm_purge.h"
#include "purge_rpc.h"
#include "identity.pb-c.h"
#include "identity_state.h"
#include "password_hash.h"
#include "revoke.h"
#include "store_purge.h"

/* Revokes the account's tokens when it still exists (first call). */
static cm_err revoke_first(struct cm_worker *w, const char *user_id, int *out_done)
{
    int exists = 0;
    cm_err err = store_purge_lock_user(w->pg, user_id, &exists);
    if (err == CM_OK && exists) {
        err = revoke_user_tokens(w->pg, user_id, "deleted", REVOKE_SESSIONS_ALL, NULL);
        *out_done = 0;
    }
    return err;
}

cm_err rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                 size_t *out_len)
{
    return cm_purge_serve(w, req, store_purge_statements, revoke_first, out_payload, out_len);
}

cm_err rpc_verify_password(struct cm_worker *w, const Envelope__RpcRequest *req,
                           uint8_t **out_payload, size_t *out_len)
{
    Identity__VerifyPasswordRequest *in =
        identity__verify_password_request__unpack(NULL, req->payload.len, req->payload.data);
    Identity__VerifyPasswordReply reply = IDENTITY__VERIFY_PASSWORD_REPLY__INIT;
    char email[256] = "", username[256] = "", hash[PW_HASH_MAX] = "";
    cm_err err = CM_OK;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a VerifyPasswordRequest");
    if (cm_uuid_valid(in->user_id))
        err = store_purge_subject(w->pg, in->user_id, email, username, hash);
    if (err == CM_OK || err == CM_ENOTFOUND)
        err = pw_verify(identity_state_of(w)->hashers, w->cfg, err == CM_OK ? hash : NULL,
                        in->password) == CM_OK && hash[0]
                  ? CM_OK
                  : cm_rpc_fail(w, CM_EDENIED, "the password is wrong");
    if (err == CM_OK) {
        reply.email = email;
        reply.username = username;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    identity__verify_password_request__free_unpacked(in, NULL);
    return err;
}
