/* purge_rpc.h: onboarding.rpc.Purge, onboarding's step of privacy's
 * deletion saga (purge_rpc.c, libcommon/cm_purge.h). */
#ifndef ONBOARDING_PURGE_RPC_H
#define ONBOARDING_PURGE_RPC_H

#include "cm_service.h"

cm_err onboarding_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len);

#endif
