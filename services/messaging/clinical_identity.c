/* clinical_identity.c: typed RPC calls from messaging to identity for the
 * clinical messaging API (clinical_identity.h). */
#include "clinical_identity.h"

#include <stdio.h>
#include <stdlib.h>

#include "cm_log.h"
#include "cm_nats.h"

cm_err clinical_identity_call(struct cm_worker *w, const char *method, const ProtobufCMessage *req,
                              Envelope__RpcReply **out_reply, char *detail)
{
    Envelope__Principal self = ENVELOPE__PRINCIPAL__INIT;
    Envelope__RpcReply *reply = NULL;
    char subject[96];
    size_t len;
    uint8_t *payload = cm_pack(req, &len);
    cm_err err;

    self.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_SERVICE;
    self.user_id = "messaging";
    detail[0] = '\0';
    snprintf(subject, sizeof subject, "identity.rpc.%s", method);
    err = cm_nats_rpc(w->nc, subject, cm_log_request_id(), &self, payload, len,
                      w->cfg->rpc_timeout_ms, &reply);
    free(payload);
    if (err != CM_OK) {
        cm_warn("rpc %s: %s", subject, cm_err_name(err));
        snprintf(detail, CLINICAL_DETAIL_MAX, "identity is unavailable, retry later");
        return err;
    }
    err = cm_err_from_wire(reply->code);
    if (err != CM_OK) {
        snprintf(detail, CLINICAL_DETAIL_MAX, "%s", reply->message ? reply->message : "");
        if (err != CM_EINVAL && err != CM_ENOTFOUND && err != CM_ECONFLICT)
            cm_warn("rpc %s answered %s", subject, cm_err_name(err));
        envelope__rpc_reply__free_unpacked(reply, NULL);
        return err;
    }
    *out_reply = reply;
    return CM_OK;
}

/* Sends in and unpacks the accounts it answers. */
static cm_err get_accounts(struct cm_worker *w, const Identity__ClinicalGetAccountsRequest *in,
                           Identity__ClinicalGetAccountsReply **out)
{
    Envelope__RpcReply *reply = NULL;
    char detail[CLINICAL_DETAIL_MAX];
    cm_err err = clinical_identity_call(w, "ClinicalGetAccounts", &in->base, &reply, detail);

    if (err != CM_OK)
        return err;
    *out = identity__clinical_get_accounts_reply__unpack(NULL, reply->payload.len,
                                                         reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return *out ? CM_OK : CM_EINTERNAL;
}

cm_err clinical_identity_accounts_named(struct cm_worker *w, char **names, size_t n,
                                        Identity__ClinicalGetAccountsReply **out)
{
    Identity__ClinicalGetAccountsRequest in = IDENTITY__CLINICAL_GET_ACCOUNTS_REQUEST__INIT;

    in.n_usernames = n;
    in.usernames = names;
    return get_accounts(w, &in, out);
}

cm_err clinical_identity_accounts(struct cm_worker *w, char **ids, size_t n, const char *username,
                                  const char *email, Identity__ClinicalGetAccountsReply **out)
{
    Identity__ClinicalGetAccountsRequest in = IDENTITY__CLINICAL_GET_ACCOUNTS_REQUEST__INIT;

    in.n_user_ids = n;
    in.user_ids = ids;
    in.username = (char *)username;
    in.email = (char *)email;
    return get_accounts(w, &in, out);
}

/* Calls method with req and unpacks the ClinicalAccount it answers. */
static cm_err account_call(struct cm_worker *w, const char *method, const ProtobufCMessage *req,
                           Identity__ClinicalAccount **out, char *detail)
{
    Envelope__RpcReply *reply = NULL;
    cm_err err = clinical_identity_call(w, method, req, &reply, detail);

    if (err != CM_OK)
        return err;
    *out = identity__clinical_account__unpack(NULL, reply->payload.len, reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return *out ? CM_OK : CM_EINTERNAL;
}

cm_err clinical_identity_create(struct cm_worker *w, const Identity__ClinicalCreateAccountRequest *in,
                                Identity__ClinicalAccount **out, char *detail)
{
    return account_call(w, "ClinicalCreateAccount", &in->base, out, detail);
}

cm_err clinical_identity_update(struct cm_worker *w, const Identity__ClinicalUpdateAccountRequest *in,
                                Identity__ClinicalAccount **out, char *detail)
{
    return account_call(w, "ClinicalUpdateAccount", &in->base, out, detail);
}
