/* agreements.h: who must agree to which service documents, and the typed
 * RPCs identity asks at login and refresh (proto/onboarding.proto
 * CheckAgreements, DeleteAgreements). Agreements live in onboarding, with
 * the documents; identity holds none (README "Service documents"). */
#ifndef ONBOARDING_AGREEMENTS_H
#define ONBOARDING_AGREEMENTS_H

#include "cm_service.h"

/* Sign-up's gate, before anything is recorded: agreements_json (a JSON
 * array text of uuids, NULL for none) must cover the current required
 * documents of the platform and of organization_id. CM_OK with *refused 0
 * when it does; CM_OK with *refused 1 and out holding the 403 that names
 * the missing documents when not; another error (set in rq) when the
 * documents could not be read. */
cm_err agreements_sign_up_gate(struct cm_req *rq, struct cm_resp *out, const char *organization_id,
                               const char *agreements_json, int *refused);

/* Records the sign-up's agreements_json (NULL: none) for user_id (ids that
 * are no document are skipped); errors are set in rq. */
cm_err agreements_record(struct cm_req *rq, const char *user_id, const char *agreements_json);

/* onboarding.rpc.CheckAgreements and onboarding.rpc.DeleteAgreements. */
cm_err rpc_check_agreements(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len);
cm_err rpc_delete_agreements(struct cm_worker *w, const Envelope__RpcRequest *req,
                             uint8_t **out_payload, size_t *out_len);

#endif
