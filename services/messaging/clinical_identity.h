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

/* Sends req to "identity.rpc.<method>" (cm_peer_ask) and unpacks the
 * reply as reply_desc: on CM_OK *out_msg (caller frees with
 * protobuf_c_message_free_unpacked or the type's __free_unpacked);
 * otherwise the callee's error with its detail in detail
 * (CLINICAL_DETAIL_MAX bytes), CM_EUNAVAIL / CM_ETIMEOUT with "identity is
 * unavailable, retry later" when identity does not answer. */
cm_err clinical_identity_ask(struct cm_worker *w, const char *method, const ProtobufCMessage *req,
                             const ProtobufCMessageDescriptor *reply_desc,
                             ProtobufCMessage **out_msg, char *detail);

/* identity.rpc.ClinicalGetAccounts with in: the reply (caller
 * identity__clinical_get_accounts_reply__free_unpacked) into *out. */
cm_err clinical_identity_get_accounts(struct cm_worker *w,
                                      const Identity__ClinicalGetAccountsRequest *in,
                                      Identity__ClinicalGetAccountsReply **out, char *detail);

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
