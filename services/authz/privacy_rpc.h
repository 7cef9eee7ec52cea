/* privacy_rpc.h: authz's typed RPCs for privacy (privacy_rpc.c). */
#ifndef AUTHZ_PRIVACY_RPC_H
#define AUTHZ_PRIVACY_RPC_H

#include "cm_service.h"

/* authz.rpc.PrivacyGroups, PrivacyParticipant, PrivacyUserGroups
 * (authz.proto); CM_EINVAL for a bad request, CM_ENOTFOUND as documented
 * there. */
cm_err authz_rpc_privacy_groups(struct cm_worker *w, const Envelope__RpcRequest *req,
                                uint8_t **out_payload, size_t *out_len);
cm_err authz_rpc_privacy_participant(struct cm_worker *w, const Envelope__RpcRequest *req,
                                     uint8_t **out_payload, size_t *out_len);
cm_err authz_rpc_privacy_user_groups(struct cm_worker *w, const Envelope__RpcRequest *req,
                                     uint8_t **out_payload, size_t *out_len);

/* authz.rpc.PrivacyIndividuals: columns of individuals for aggregation. */
cm_err authz_rpc_privacy_individuals(struct cm_worker *w, const Envelope__RpcRequest *req,
                                     uint8_t **out_payload, size_t *out_len);

/* authz.rpc.Purge (purge_rpc.c): the deletion saga's step in authz. */
cm_err authz_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                       uint8_t **out_payload, size_t *out_len);

#endif
