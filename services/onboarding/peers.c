/* peers.c: onboarding's typed RPC calls to identity and messaging (see
 * peers.h). cm_peer_ask sends, checks and unpacks; the functions here pack
 * the requests and copy out the replies. */
#include "peers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_peer.h"
#include "messaging.pb-c.h"

/* Sends req to subject as onboarding (cm_peer_ask). On CM_OK *out holds
 * the reply unpacked as reply_desc (caller frees with
 * protobuf_c_message_free_unpacked); otherwise the callee's error, with its
 * detail, or CM_EINTERNAL for a reply that does not unpack. */
static cm_err ask(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out,
                  char detail[PEER_DETAIL_MAX])
{
    return cm_peer_ask(w, subject, req, reply_desc, out, detail, PEER_DETAIL_MAX);
}

static void copy_lower(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

cm_err peers_get_organization(struct cm_worker *w, const char *organization_id,
                              struct org_facts *out)
{
    static const char subject[] = "identity.rpc.GetOrganization";
    Identity__GetOrganizationRequest req = IDENTITY__GET_ORGANIZATION_REQUEST__INIT;
    const Identity__GetOrganizationReply *o;
    ProtobufCMessage *m = NULL;
    char detail[PEER_DETAIL_MAX];
    cm_err err;

    req.organization_id = (char *)organization_id;
    err = ask(w, subject, &req.base, &identity__get_organization_reply__descriptor, &m, detail);
    if (err != CM_OK)
        return err;
    o = (const Identity__GetOrganizationReply *)m;
    copy_lower(out->id, sizeof out->id, o->id[0] ? o->id : organization_id);
    snprintf(out->name, sizeof out->name, "%s", o->name);
    snprintf(out->display_name, sizeof out->display_name, "%s", o->display_name);
    snprintf(out->logo_url, sizeof out->logo_url, "%s", o->logo_url);
    out->is_active = o->is_active;
    protobuf_c_message_free_unpacked(m, NULL);
    return CM_OK;
}

cm_err peers_create_account(struct cm_worker *w, const Identity__CreateAccountRequest *req,
                            char user_id[37], char account_type[64], char detail[PEER_DETAIL_MAX])
{
    static const char subject[] = "identity.rpc.CreateAccount";
    const Identity__CreateAccountReply *a;
    ProtobufCMessage *m = NULL;
    cm_err err =
        ask(w, subject, &req->base, &identity__create_account_reply__descriptor, &m, detail);

    if (err != CM_OK)
        return err;
    a = (const Identity__CreateAccountReply *)m;
    copy_lower(user_id, 37, a->user_id);
    snprintf(account_type, 64, "%s", a->account_type);
    protobuf_c_message_free_unpacked(m, NULL);
    return CM_OK;
}

cm_err peers_confirm_account(struct cm_worker *w, const char *user_id, const char *tz,
                             char account_type[64], char detail[PEER_DETAIL_MAX])
{
    static const char subject[] = "identity.rpc.ConfirmAccount";
    Identity__ConfirmAccountRequest req = IDENTITY__CONFIRM_ACCOUNT_REQUEST__INIT;
    ProtobufCMessage *m = NULL;
    cm_err err;

    req.user_id = (char *)user_id;
    req.tz = (char *)tz;
    err = ask(w, subject, &req.base, &identity__confirm_account_reply__descriptor, &m, detail);
    if (err != CM_OK)
        return err;
    snprintf(account_type, 64, "%s", ((const Identity__ConfirmAccountReply *)m)->account_type);
    protobuf_c_message_free_unpacked(m, NULL);
    return CM_OK;
}

cm_err peers_issue_tokens(struct cm_worker *w, const char *user_id, json_t **out_login,
                          char detail[PEER_DETAIL_MAX])
{
    static const char subject[] = "identity.rpc.IssueTokens";
    Identity__IssueTokensRequest req = IDENTITY__ISSUE_TOKENS_REQUEST__INIT;
    ProtobufCMessage *m = NULL;
    json_t *login;
    cm_err err;

    req.user_id = (char *)user_id;
    req.interactive = 1;
    err = ask(w, subject, &req.base, &identity__issue_tokens_reply__descriptor, &m, detail);
    if (err != CM_OK)
        return err;
    login = json_loads(((const Identity__IssueTokensReply *)m)->login_json, 0, NULL);
    protobuf_c_message_free_unpacked(m, NULL);
    if (!json_is_object(login)) {
        json_decref(login);
        cm_warn("rpc %s: login_json is not a JSON object", subject);
        snprintf(detail, PEER_DETAIL_MAX, "tokens could not be issued");
        return CM_EINTERNAL;
    }
    *out_login = login;
    return CM_OK;
}

cm_err peers_deliver(struct cm_worker *w, const char *channel, const char *to, const char *subject,
                     const char *body, const char *kind, const char *organization_id,
                     char detail[PEER_DETAIL_MAX])
{
    char message_id[37];

    return peers_deliver_id(w, channel, to, subject, body, kind, organization_id, message_id,
                            detail);
}

/* Sends req to messaging.rpc.Deliver; on CM_OK message_id is the id of the
 * message ("" when the reply does not say). */
static cm_err deliver(struct cm_worker *w, const Messaging__DeliverRequest *req,
                      char message_id[37], char detail[PEER_DETAIL_MAX])
{
    ProtobufCMessage *m = NULL;
    const Messaging__DeliverReply *r;
    cm_err err = ask(w, "messaging.rpc.Deliver", &req->base, &messaging__deliver_reply__descriptor,
                     &m, detail);

    if (err != CM_OK)
        return err;
    r = (const Messaging__DeliverReply *)m;
    snprintf(message_id, 37, "%s", r->message_id ? r->message_id : "");
    protobuf_c_message_free_unpacked(m, NULL);
    return CM_OK;
}

cm_err peers_deliver_id(struct cm_worker *w, const char *channel, const char *to,
                        const char *subject, const char *body, const char *kind,
                        const char *organization_id, char message_id[37],
                        char detail[PEER_DETAIL_MAX])
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    message_id[0] = '\0';
    req.channel = (char *)channel;
    req.to = (char *)to;
    req.subject = (char *)subject;
    req.body = (char *)body;
    req.kind = (char *)kind;
    req.organization_id = (char *)organization_id;
    return deliver(w, &req, message_id, detail);
}

cm_err peers_deliver_template(struct cm_worker *w, const struct peer_template_msg *m,
                              char message_id[37], char detail[PEER_DETAIL_MAX])
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e[PEER_TEMPLATE_VARS_MAX];
    Messaging__DeliverRequest__VariablesEntry *ep[PEER_TEMPLATE_VARS_MAX];
    message_id[0] = '\0';
    if (m->n > PEER_TEMPLATE_VARS_MAX)
        return CM_EINVAL;
    for (size_t i = 0; i < m->n; i++) {
        messaging__deliver_request__variables_entry__init(&e[i]);
        e[i].key = (char *)m->keys[i];
        e[i].value = (char *)m->values[i];
        ep[i] = &e[i];
    }
    req.channel = (char *)m->channel;
    req.to = (char *)m->to;
    req.subject = "";
    req.body = "";
    req.kind = (char *)m->type;
    req.organization_id = (char *)m->organization_id;
    req.template_type = (char *)m->type;
    req.locale = (char *)(m->locale ? m->locale : "");
    req.idempotency_key = (char *)(m->idempotency_key ? m->idempotency_key : "");
    req.n_variables = m->n;
    req.variables = ep;
    return deliver(w, &req, message_id, detail);
}
