/* handlers.h: the privacy daemon's operation and RPC tables, and its handlers.
 * privacy owns the privacy API (/configure/...), deletion, archive and purge requests, anonymous access, aggregation. */
#ifndef PRIVACY_HANDLERS_H
#define PRIVACY_HANDLERS_H

#include "cm_service.h"

/* Every operation of the API documents that privacy owns; handler NULL = 501. */
extern const struct cm_op privacy_ops[];

/* Typed RPCs served on "privacy.rpc.<Method>". */
extern const struct cm_rpc privacy_rpcs[];

/* handlers_configure.c: what an organization's API client (x-api-key)
 * requests of its care groups and participants. */
cm_err configure_groups_list(struct cm_req *rq, struct cm_resp *out);
cm_err configure_group_privacy_set(struct cm_req *rq, struct cm_resp *out);
cm_err configure_group_privacy_get(struct cm_req *rq, struct cm_resp *out);
cm_err configure_participant_privacy_set(struct cm_req *rq, struct cm_resp *out);
cm_err configure_participant_privacy_get(struct cm_req *rq, struct cm_resp *out);

/* handlers_me.c: a participant's own privacy level, with their own token. */
cm_err me_privacy_get(struct cm_req *rq, struct cm_resp *out);
cm_err me_privacy_set(struct cm_req *rq, struct cm_resp *out);

/* notice_rpc.c: privacy.rpc.CheckInNotice. */
cm_err privacy_rpc_check_in_notice(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len);

/* purge_rpc.c: privacy.rpc.Purge, privacy's own step of the deletion saga. */
cm_err privacy_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                         uint8_t **out_payload, size_t *out_len);

/* handlers_deletion.c: deletion requests (#18-#21). */
cm_err deletion_requests_list(struct cm_req *rq, struct cm_resp *out);
cm_err deletion_requests_create(struct cm_req *rq, struct cm_resp *out);
cm_err deletion_requests_read(struct cm_req *rq, struct cm_resp *out);
cm_err deletion_requests_update_status(struct cm_req *rq, struct cm_resp *out);

/* handlers_archive.c: archive requests (#6-#8). */
cm_err archive_requests_list(struct cm_req *rq, struct cm_resp *out);
cm_err archive_requests_create(struct cm_req *rq, struct cm_resp *out);
cm_err archive_requests_answer(struct cm_req *rq, struct cm_resp *out);

/* handlers_anon.c: anonymous accesses (#2-#5). */
cm_err anon_create(struct cm_req *rq, struct cm_resp *out);
cm_err anon_read(struct cm_req *rq, struct cm_resp *out);
cm_err anon_update(struct cm_req *rq, struct cm_resp *out);
cm_err anon_proxy(struct cm_req *rq, struct cm_resp *out);

/* handlers_aggregation.c: aggregation requests (#1) and their read-back. */
cm_err aggregation_create(struct cm_req *rq, struct cm_resp *out);
cm_err aggregation_read(struct cm_req *rq, struct cm_resp *out);

/* handlers_purge.c: purge-data (#110), one saga step on demand. */
cm_err purge_data(struct cm_req *rq, struct cm_resp *out);

#endif
