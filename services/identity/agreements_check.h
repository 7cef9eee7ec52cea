/* agreements_check.h: the service-document gate of login and refresh, and
 * #152. Documents and agreements are onboarding's (services/onboarding/
 * agreements.h); identity holds none and asks onboarding by typed RPC
 * (onboarding.rpc.CheckAgreements / DeleteAgreements) with the user's
 * organizations. When onboarding does not answer, the login or refresh is
 * refused with 503 (fail closed: nobody skips a required agreement). */
#ifndef IDENTITY_AGREEMENTS_CHECK_H
#define IDENTITY_AGREEMENTS_CHECK_H

#include <jansson.h>

#include "cm_service.h"

/* Records the agreements in agreed (a JSON array of uuids, already
 * checked; NULL for none) for user_id and asks what is still missing.
 * CM_OK with *refused 0: go on. CM_OK with *refused 1: out holds the 403
 * naming the documents to agree to (errors[0].meta."service-documents",
 * pointer /service-document-agreements). Other errors are set in rq: 503
 * when onboarding does not answer. Ids that are no document are skipped. */
cm_err agreements_check(struct cm_req *rq, struct cm_resp *out, const char *user_id,
                        const json_t *agreed, int *refused);

/* POST /v1/users/{id}/delete-service-document-agreements/ (#152): the
 * user themselves or an admin who may change the user; 201 null; the
 * next login must agree again. */
cm_err users_delete_agreements(struct cm_req *rq, struct cm_resp *out);

#endif
