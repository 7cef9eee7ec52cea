/* clinical_rpc.h: identity's typed RPCs for the clinical messaging API
 * (proto/identity.proto, "clinical messaging API"): OUs by name
 * (clinical_orgs_rpc.c, which also guards renames of organizations that
 * would change it) and password-less accounts that messaging's
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

/* identity.rpc.ClinicalUpdateAccount → ClinicalAccount (CM_EDENIED for an
 * account with a membership outside allowed_organization_ids). */
cm_err rpc_clinical_update_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len);

/* For PATCH /v1/organizations/{id}/ by an organization admin (not the
 * platform admin): CM_OK when renaming organization id to name leaves the
 * clinical OU hierarchy (the names) alone, else 403 recorded in rq. Only
 * the platform admin moves organizations in or out of the hierarchy, so
 * that no tenant can make itself the parent of another's OUs. */
cm_err clinical_org_rename_check(struct cm_req *rq, const char *id, const char *name);

#endif
