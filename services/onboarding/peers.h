/* peers.h: onboarding's typed RPCs to other services: identity (accounts,
 * organizations, tokens) and messaging (delivery). Each call is blocking
 * (cm_nats_rpc, RPC_TIMEOUT_MS), carries the current request id and a
 * service principal "onboarding", and returns the callee's cm_err, or
 * CM_EUNAVAIL / CM_ETIMEOUT when nobody answered. When the callee failed,
 * its detail (RpcReply.message; never a secret) goes to detail. */
#ifndef ONBOARDING_PEERS_H
#define ONBOARDING_PEERS_H

#include <stddef.h>

#include "cm_service.h"
#include "identity.pb-c.h"

#define PEER_DETAIL_MAX 256

/* Public facts of an organization (identity.rpc.GetOrganization). */
struct org_facts {
    char id[37];
    char name[256];
    char display_name[256];
    char logo_url[1024];
    int is_active;
};

/* identity.rpc.GetOrganization. CM_ENOTFOUND when there is none. */
cm_err peers_get_organization(struct cm_worker *w, const char *organization_id,
                              struct org_facts *out);

/* identity.rpc.CreateAccount with req (borrowed). On CM_OK the new user's
 * id (lower-case) goes to user_id and the account type to account_type
 * (64 bytes). */
cm_err peers_create_account(struct cm_worker *w, const Identity__CreateAccountRequest *req,
                            char user_id[37], char account_type[64],
                            char detail[PEER_DETAIL_MAX]);

/* identity.rpc.ConfirmAccount for user_id, setting tz when not "". On CM_OK
 * the account type goes to account_type (64 bytes). */
cm_err peers_confirm_account(struct cm_worker *w, const char *user_id, const char *tz,
                             char account_type[64], char detail[PEER_DETAIL_MAX]);

/* identity.rpc.IssueTokens for user_id (an interactive session). On CM_OK
 * *out_login is the login body, a JSON object (caller json_decref);
 * CM_EINTERNAL when identity's login_json is not an object. */
cm_err peers_issue_tokens(struct cm_worker *w, const char *user_id, json_t **out_login,
                          char detail[PEER_DETAIL_MAX]);

/* messaging.rpc.Deliver of one message (every string borrowed). */
cm_err peers_deliver(struct cm_worker *w, const char *channel, const char *to,
                     const char *subject, const char *body, const char *kind,
                     const char *organization_id, char detail[PEER_DETAIL_MAX]);

/* As peers_deliver; on CM_OK the email-logs id of the message goes to
 * message_id (37 bytes, "" when messaging gave none). */
cm_err peers_deliver_id(struct cm_worker *w, const char *channel, const char *to,
                        const char *subject, const char *body, const char *kind,
                        const char *organization_id, char message_id[37],
                        char detail[PEER_DETAIL_MAX]);

/* A message rendered by messaging from template type (of organization_id,
 * in locale, or the built-in default) with n variables (keys[i] =
 * values[i]); subject/body are the fallbacks messaging ignores when it
 * renders. Sent at most once per (idempotency_key, to) when the key is not
 * "". message_id as peers_deliver_id. Every string borrowed. */
#define PEER_TEMPLATE_VARS_MAX 8
struct peer_template_msg {
    const char *channel, *to, *type, *organization_id, *locale, *idempotency_key;
    size_t n;
    const char *const *keys, *const *values;
};
cm_err peers_deliver_template(struct cm_worker *w, const struct peer_template_msg *m,
                              char message_id[37], char detail[PEER_DETAIL_MAX]);

#endif
