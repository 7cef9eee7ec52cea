/* replication.h: which services hold a copy of a user: user-replications
 * (#144, #145), replicators (#115, #116), and the typed RPCs
 * identity.rpc.ListUserReplications / RecordUserReplication
 * (handlers_replication.c). A replicator fed by identity's user events
 * (authz) gets its row in the transaction of the user's "created" event
 * (users_event calls replication_on_user_created); the others report
 * theirs (POST or the RPC). Reading: the platform admin, the user, an
 * admin of one of the user's organizations; writing and replicators: the
 * platform admin. */
#ifndef IDENTITY_REPLICATION_H
#define IDENTITY_REPLICATION_H

#include <libpq-fe.h>

#include "cm_service.h"

/* GET /v1/user-replications/ (#144): user-id (required), page; 200. */
cm_err replications_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/user-replications/ (#145): type "user-replications", service
 * and user-id; 201 (also when it was recorded before). */
cm_err replications_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/replicators/ (#115) and /v1/replicators/{id}/ (#116). */
cm_err replicators_list(struct cm_req *rq, struct cm_resp *out);
cm_err replicators_read(struct cm_req *rq, struct cm_resp *out);

cm_err rpc_list_user_replications(struct cm_worker *w, const Envelope__RpcRequest *req,
                                  uint8_t **out_payload, size_t *out_len);
cm_err rpc_record_user_replication(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len);

/* Records the replicas of a new user (store_replication_fan_out); call in
 * the transaction of its "created" event. */
cm_err replication_on_user_created(PGconn *pg, const char *user_id);

#endif
