/* clinical_identity.h: messaging's calls to identity's clinical RPCs
 * (proto/identity.proto, "clinical messaging API"): the accounts of
 * clinical users. A clinical user's account (username = the seed's
 * user_id, email, names, enabled) is identity's; messaging keeps the
 * clinical profile only. */
#ifndef MESSAGING_CLINICAL_IDENTITY_H
#define MESSAGING_CLINICAL_IDENTITY_H

#include "cm_service.h"
#include "identity.pb-c.h"

#define CLINICAL_DETAIL_MAX 256

/* Sends req to "identity.rpc.<method>". On CM_OK *out_reply holds the
 * callee's successful reply (caller envelope__rpc_reply__free_unpacked);
 * otherwise the callee's error with its detail in detail
 * (CLINICAL_DETAIL_MAX bytes), CM_EUNAVAIL / CM_ETIMEOUT when identity does
 * not answer. */
cm_err clinical_identity_call(struct cm_worker *w, const char *method, const ProtobufCMessage *req,
                              Envelope__RpcReply **out_reply, char *detail);

/* Accounts (caller identity__clinical_get_accounts_reply__free_unpacked):
 * by ids (n of them), or by username or email ("" for none). */
cm_err clinical_identity_accounts(struct cm_worker *w, char **ids, size_t n, const char *username,
                                  const char *email, Identity__ClinicalGetAccountsReply **out);

/* Accounts whose usernames are names[0..n) (caller
 * identity__clinical_get_accounts_reply__free_unpacked). */
cm_err clinical_identity_accounts_named(struct cm_worker *w, char **names, size_t n,
                                        Identity__ClinicalGetAccountsReply **out);

/* Creates (idempotently on in->user_id) or updates an account; the
 * account after it to *out (caller identity__clinical_account__free_unpacked). */
cm_err clinical_identity_create(struct cm_worker *w, const Identity__ClinicalCreateAccountRequest *in,
                                Identity__ClinicalAccount **out, char *detail);
cm_err clinical_identity_update(struct cm_worker *w, const Identity__ClinicalUpdateAccountRequest *in,
                                Identity__ClinicalAccount **out, char *detail);

#endif
