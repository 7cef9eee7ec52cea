/* clinical_identity.c: typed RPC calls from messaging to identity for the
 * clinical messaging API (clinical_identity.h), each through cm_peer_ask. */
#include "clinical_identity.h"

#include <stdio.h>
#include <stdlib.h>

#include "cm_peer.h"

cm_err clinical_identity_ask(struct cm_worker *w, const char *method, const ProtobufCMessage *req,
                             const ProtobufCMessageDescriptor *reply_desc,
                             ProtobufCMessage **out_msg, char *detail)
{
    char subject[96];
    cm_err err;

    snprintf(subject, sizeof subject, "identity.rpc.%s", method);
    err = cm_peer_ask(w, subject, req, reply_desc, out_msg, detail, CLINICAL_DETAIL_MAX);
    if (err == CM_EUNAVAIL || err == CM_ETIMEOUT) /* the client is not told subjects */
        snprintf(detail, CLINICAL_DETAIL_MAX, "identity is unavailable, retry later");
    return err;
}

cm_err clinical_identity_get_accounts(struct cm_worker *w,
                                      const Identity__ClinicalGetAccountsRequest *in,
                                      Identity__ClinicalGetAccountsReply **out, char *detail)
{
    ProtobufCMessage *m = NULL;
    cm_err err = clinical_identity_ask(w, "ClinicalGetAccounts", &in->base,
                                       &identity__clinical_get_accounts_reply__descriptor, &m,
                                       detail);

    if (err == CM_OK)
        *out = (Identity__ClinicalGetAccountsReply *)m;
    return err;
}

cm_err clinical_identity_accounts_named(struct cm_worker *w, char **names, size_t n,
                                        Identity__ClinicalGetAccountsReply **out)
{
    Identity__ClinicalGetAccountsRequest in = IDENTITY__CLINICAL_GET_ACCOUNTS_REQUEST__INIT;
    char detail[CLINICAL_DETAIL_MAX];

    in.n_usernames = n;
    in.usernames = names;
    return clinical_identity_get_accounts(w, &in, out, detail);
}

cm_err clinical_identity_accounts(struct cm_worker *w, char **ids, size_t n, const char *username,
                                  const char *email, Identity__ClinicalGetAccountsReply **out)
{
    Identity__ClinicalGetAccountsRequest in = IDENTITY__CLINICAL_GET_ACCOUNTS_REQUEST__INIT;
    char detail[CLINICAL_DETAIL_MAX];

    in.n_user_ids = n;
    in.user_ids = ids;
    in.username = (char *)username;
    in.email = (char *)email;
    return clinical_identity_get_accounts(w, &in, out, detail);
}

/* Calls method with req and unpacks the ClinicalAccount it answers. */
static cm_err account_call(struct cm_worker *w, const char *method, const ProtobufCMessage *req,
                           Identity__ClinicalAccount **out, char *detail)
{
    ProtobufCMessage *m = NULL;
    cm_err err = clinical_identity_ask(w, method, req, &identity__clinical_account__descriptor, &m,
                                       detail);

    if (err == CM_OK)
        *out = (Identity__ClinicalAccount *)m;
    return err;
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
