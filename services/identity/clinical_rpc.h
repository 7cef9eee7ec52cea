/* clinical_rpc.h: identity's typed RPCs for the clinical messaging API
 * (proto/identity.proto, "clinical messaging API"): OUs by name
 * (clinical_orgs_rpc.c) and password-less accounts that messaging's
 * admin/users creates, reads and changes (clinical_accounts_rpc.c). */
#ifndef IDENTITY_CLINICAL_RPC_H
#define IDENTITY_CLINICAL_RPC_H

#include "cm_service.h"

/* identity.rpc.ClinicalOrgs: ClinicalOrgsRequest → ClinicalOrgsReply. */
cm_err rpc_clinical_orgs(struct cm_worker *w, const Envelope__RpcRequest *req,
                         uint8_t **out_payload, size_t *out_len);

/* identity.rpc.ClinicalCreateAccount → ClinicalAccount. */
cm_err rpc_clinical_create_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len);

/* identity.rpc.ClinicalGetAccounts → ClinicalGetAccountsReply. */
cm_err rpc_clinical_get_accounts(struct cm_worker *w, const Envelope__RpcRequest *req,
                                 uint8_t **out_payload, size_t *out_len);

/* identity.rpc.ClinicalUpdateAccount → ClinicalAccount. */
cm_err rpc_clinical_update_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len);

#endif
