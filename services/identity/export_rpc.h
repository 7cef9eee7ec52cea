/* export_rpc.h: identity.rpc.ExportUsers, the full export of users with
 * their memberships and roles from which authz rebuilds its projection
 * (services/authz/repopulate.h). */
#ifndef IDENTITY_EXPORT_RPC_H
#define IDENTITY_EXPORT_RPC_H

#include "cm_service.h"

#define EXPORT_LIMIT_MAX 1000            /* users per page, the proto's bound */
#define EXPORT_REPLY_BUDGET (512 * 1024) /* packed reply bytes a page stays under */

/* identity.rpc.ExportUsers: ExportUsersRequest → ExportUsersReply. Users in
 * id order after after_id ("" = from the start; else a uuid), at most limit
 * (1..EXPORT_LIMIT_MAX) and fewer when the packed reply would pass
 * EXPORT_REPLY_BUDGET; each with its memberships (organization id order)
 * and, per membership, the names of the user's roles in that organization.
 * more is true when users after the last one exist. CM_EINVAL with a detail
 * for a bad limit or after_id. No principal check: typed RPCs are internal. */
cm_err rpc_export_users(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                        size_t *out_len);

#endif
