/* purge_rpc.h: messaging.rpc.Purge, messaging's step of privacy's deletion
 * saga (purge_rpc.c, libcommon/cm_purge.h). */
#ifndef MESSAGING_PURGE_RPC_H
#define MESSAGING_PURGE_RPC_H

#include "cm_service.h"

cm_err messaging_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                           uint8_t **out_payload, size_t *out_len);

#endif
