/* handlers.h: the authz daemon's operation and RPC tables, and its handlers.
 * authz owns access checks (authz3), individuals and care groups, and the projection of identity data they need. */
#ifndef AUTHZ_HANDLERS_H
#define AUTHZ_HANDLERS_H

#include "cm_service.h"
#include "handlers_access.h"
#include "handlers_groups.h"
#include "handlers_settled.h"
#include "handlers_status.h"

/* Every operation of the API documents that authz owns; handler NULL = 501. */
extern const struct cm_op authz_ops[];

/* Typed RPCs served on "authz.rpc.<Method>". */
extern const struct cm_rpc authz_rpcs[];

/* authz.rpc.AddGroupMembers (members_rpc.c): AddGroupMembersRequest →
 * AddGroupMembersReply; onboarding requests' individual-group-ids. */
cm_err authz_rpc_add_group_members(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len);

#endif
