/* peers.c: privacy's typed RPC calls to authz (see peers.h). */
#include "peers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.pb-c.h"
#include "identity.pb-c.h"
#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats.h"

/* Sends req to subject as the privacy service. On CM_OK *out_reply holds
 * the callee's successful reply (caller frees); otherwise its error. */
static cm_err call(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                   Envelope__RpcReply **out_reply)
{
    Envelope__Principal self = ENVELOPE__PRINCIPAL__INIT;
    Envelope__RpcReply *reply = NULL;
    size_t len;
    uint8_t *payload = cm_pack(req, &len);
    cm_err err;

    self.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_SERVICE;
    self.user_id = "privacy";
    err = cm_nats_rpc(w->nc, subject, cm_log_request_id(), &self, payload, len,
                      w->cfg->rpc_timeout_ms, &reply);
    free(payload);
    if (err != CM_OK) {
        cm_warn("rpc %s: %s", subject, cm_err_name(err));
        return err;
    }
    err = cm_err_from_wire(reply->code);
    if (err != CM_OK) {
        if (err != CM_ENOTFOUND && err != CM_EDENIED)
            cm_warn("rpc %s answered %s", subject, cm_err_name(err));
        envelope__rpc_reply__free_unpacked(reply, NULL);
        return err;
    }
    *out_reply = reply;
    return CM_OK;
}

/* Unpacks a PrivacyGroupsReply into a new array. */
static cm_err groups_of(const char *subject, Envelope__RpcReply *reply, struct peer_group **out,
                        size_t *n)
{
    Authz__PrivacyGroupsReply *g =
        authz__privacy_groups_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    struct peer_group *recs;

    envelope__rpc_reply__free_unpacked(reply, NULL);
    if (!g) {
        cm_warn("rpc %s: malformed reply", subject);
        return CM_EINTERNAL;
    }
    recs = cm_xcalloc(g->n_groups ? g->n_groups : 1, sizeof *recs);
    for (size_t i = 0; i < g->n_groups; i++) {
        snprintf(recs[i].group_id, sizeof recs[i].group_id, "%s", g->groups[i]->group_id);
        snprintf(recs[i].organization_id, sizeof recs[i].organization_id, "%s",
                 g->groups[i]->organization_id);
        recs[i].number = g->groups[i]->number;
        snprintf(recs[i].name, sizeof recs[i].name, "%s", g->groups[i]->name);
    }
    *n = g->n_groups;
    *out = recs;
    authz__privacy_groups_reply__free_unpacked(g, NULL);
    return CM_OK;
}

/* PrivacyGroups(organization_id, number). */
static cm_err ask_groups(struct cm_worker *w, const char *organization_id, long long number,
                         struct peer_group **out, size_t *n)
{
    static const char subject[] = "authz.rpc.PrivacyGroups";
    Authz__PrivacyGroupsRequest req = AUTHZ__PRIVACY_GROUPS_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    cm_err err;

    req.organization_id = (char *)organization_id;
    req.number = number;
    err = call(w, subject, &req.base, &reply);
    return err != CM_OK ? err : groups_of(subject, reply, out, n);
}

cm_err peers_group(struct cm_worker *w, const char *organization_id, long long number,
                   struct peer_group *out)
{
    struct peer_group *g = NULL;
    size_t n = 0;
    cm_err err = ask_groups(w, organization_id, number, &g, &n);

    if (err == CM_OK && n == 0)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        *out = g[0];
    free(g);
    return err;
}

cm_err peers_groups(struct cm_worker *w, const char *organization_id, struct peer_group **out,
                    size_t *n)
{
    return ask_groups(w, organization_id, 0, out, n);
}

cm_err peers_participant(struct cm_worker *w, const char *organization_id,
                         const char *external_id, char *user_id)
{
    static const char subject[] = "authz.rpc.PrivacyParticipant";
    Authz__PrivacyParticipantRequest req = AUTHZ__PRIVACY_PARTICIPANT_REQUEST__INIT;
    Authz__PrivacyParticipantReply *p;
    Envelope__RpcReply *reply = NULL;
    cm_err err;

    req.organization_id = (char *)organization_id;
    req.external_id = (char *)external_id;
    err = call(w, subject, &req.base, &reply);
    if (err != CM_OK)
        return err;
    p = authz__privacy_participant_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    if (!p) {
        cm_warn("rpc %s: malformed reply", subject);
        return CM_EINTERNAL;
    }
    snprintf(user_id, 40, "%s", p->user_id);
    authz__privacy_participant_reply__free_unpacked(p, NULL);
    return CM_OK;
}

cm_err peers_user_groups(struct cm_worker *w, const char *user_id, struct peer_group **out,
                         size_t *n)
{
    static const char subject[] = "authz.rpc.PrivacyUserGroups";
    Authz__PrivacyUserGroupsRequest req = AUTHZ__PRIVACY_USER_GROUPS_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    cm_err err;

    req.user_id = (char *)user_id;
    err = call(w, subject, &req.base, &reply);
    return err != CM_OK ? err : groups_of(subject, reply, out, n);
}

cm_err peers_verify_password(struct cm_worker *w, const char *user_id, const char *password,
                             char *email, char *username)
{
    static const char subject[] = "identity.rpc.VerifyPassword";
    Identity__VerifyPasswordRequest req = IDENTITY__VERIFY_PASSWORD_REQUEST__INIT;
    Identity__VerifyPasswordReply *v;
    Envelope__RpcReply *reply = NULL;
    cm_err err;

    req.user_id = (char *)user_id;
    req.password = (char *)password;
    err = call(w, subject, &req.base, &reply);
    if (err != CM_OK)
        return err;
    v = identity__verify_password_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    if (!v) {
        cm_warn("rpc %s: malformed reply", subject);
        return CM_EINTERNAL;
    }
    snprintf(email, 256, "%s", v->email);
    snprintf(username, 256, "%s", v->username);
    identity__verify_password_reply__free_unpacked(v, NULL);
    return CM_OK;
}

cm_err peers_check(struct cm_worker *w, const char *user_id, const char *query, int *out_allow)
{
    static const char subject[] = "authz.rpc.Check";
    Authz__CheckRequest req = AUTHZ__CHECK_REQUEST__INIT;
    Authz__CheckReply *c;
    Envelope__RpcReply *reply = NULL;
    char *queries[1] = {(char *)query};
    cm_err err;

    req.user_id = (char *)user_id;
    req.access_queries = queries;
    req.n_access_queries = 1;
    err = call(w, subject, &req.base, &reply);
    if (err != CM_OK)
        return err;
    c = authz__check_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    if (!c) {
        cm_warn("rpc %s: malformed reply", subject);
        return CM_EINTERNAL;
    }
    *out_allow = c->allow;
    authz__check_reply__free_unpacked(c, NULL);
    return CM_OK;
}

cm_err peers_individuals(struct cm_worker *w, char *const *ids, size_t n,
                         Authz__PrivacyIndividualsReply **out)
{
    static const char subject[] = "authz.rpc.PrivacyIndividuals";
    Authz__PrivacyIndividualsRequest req = AUTHZ__PRIVACY_INDIVIDUALS_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    cm_err err;

    req.individual_ids = (char **)ids;
    req.n_individual_ids = n;
    err = call(w, subject, &req.base, &reply);
    if (err != CM_OK)
        return err;
    *out = authz__privacy_individuals_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    if (!*out) {
        cm_warn("rpc %s: malformed reply", subject);
        return CM_EINTERNAL;
    }
    return CM_OK;
}

cm_err peers_user_replications(struct cm_worker *w, const char *user_id, char (*out)[64],
                               size_t max, size_t *n)
{
    static const char subject[] = "identity.rpc.ListUserReplications";
    Identity__ListUserReplicationsRequest req = IDENTITY__LIST_USER_REPLICATIONS_REQUEST__INIT;
    Identity__ListUserReplicationsReply *v;
    Envelope__RpcReply *reply = NULL;
    cm_err err;

    *n = 0;
    req.user_id = (char *)user_id;
    err = call(w, subject, &req.base, &reply);
    if (err != CM_OK)
        return err;
    v = identity__list_user_replications_reply__unpack(NULL, reply->payload.len,
                                                        reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    if (!v) {
        cm_warn("rpc %s: malformed reply", subject);
        return CM_EINTERNAL;
    }
    for (size_t i = 0; i < v->n_services && *n < max; i++)
        snprintf(out[(*n)++], 64, "%s", v->services[i]);
    identity__list_user_replications_reply__free_unpacked(v, NULL);
    return CM_OK;
}
