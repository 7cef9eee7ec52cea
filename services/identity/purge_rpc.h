/* purge_rpc.h: identity.rpc.VerifyPassword and identity.rpc.Purge, for
 * privacy's deletion saga (purge_rpc.c). */
#ifndef IDENTITY_PURGE_RPC_H
#define IDENTITY_PURGE_RPC_H

#include "cm_service.h"

/* CM_OK with the person's email and username when password is theirs;
 * CM_EDENIED otherwise (wrong, none, no such user). Slow: pool only. */
cm_err rpc_verify_password(struct cm_worker *w, const Envelope__RpcRequest *req,
                           uint8_t **out_payload, size_t *out_len);

/* The deletion saga's step in identity (libcommon/cm_purge.h). */
cm_err rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                 size_t *out_len);

#endif
