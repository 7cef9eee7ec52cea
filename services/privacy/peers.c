/* peers.c: privacy's typed RPC calls to authz (see peers.h). */
#include "peers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.pb-c.h"
#include "identity.pb-c.h"
#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_peer.h"

/* Sends req to subject as the privacy service and unpacks the reply as
 * desc (cm_peer.h): *out caller frees. */
static cm_err ask(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    return cm_peer_ask(w, subject, req, desc, out, NULL, 0);
}

/* The groups of g (freed here) into a new array. */
static cm_err groups_of(Authz__PrivacyGroupsReply *g, struct peer_group **out, size_t *n)
{
    struct peer_group *recs = cm_xcalloc(g->n_groups ? g->n_groups : 1, sizeof *recs);

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

/* Asks subject (PrivacyGroups or PrivacyUserGroups) with req for groups. */
static cm_err ask_groups_of(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                            struct peer_group **out, size_t *n)
{
    ProtobufCMessage *m = NULL;
    cm_err err = ask(w, subject, req, &authz__privacy_groups_reply__descriptor, &m);

    return err != CM_OK ? err : groups_of((Authz__PrivacyGroupsReply *)m, out, n);
}

/* PrivacyGroups(organization_id, number). */
static cm_err ask_groups(struct cm_worker *w, const char *organization_id, long long number,
                         struct peer_group **out, size_t *n)
{
    Authz__PrivacyGroupsRequest req = AUTHZ__PRIVACY_GROUPS_REQUEST__INIT;

    req.organization_id = (char *)organization_id;
    req.number = number;
    return ask_groups_of(w, "authz.rpc.PrivacyGroups", &req.base, out, n);
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
    ProtobufCMessage *m = NULL;
    cm_err err;

    req.organization_id = (char *)organization_id;
    req.external_id = (char *)external_id;
    err = ask(w, subject, &req.base, &authz__privacy_participant_reply__descriptor, &m);
    if (err != CM_OK)
        return err;
    p = (Authz__PrivacyParticipantReply *)m;
    snprintf(user_id, 40, "%s", p->user_id);
    authz__privacy_participant_reply__free_unpacked(p, NULL);
    return CM_OK;
}

cm_err peers_user_groups(struct cm_worker *w, const char *user_id, struct peer_group **out,
                         size_t *n)
{
    Authz__PrivacyUserGroupsRequest req = AUTHZ__PRIVACY_USER_GROUPS_REQUEST__INIT;

    req.user_id = (char *)user_id;
    return ask_groups_of(w, "authz.rpc.PrivacyUserGroups", &req.base, out, n);
}

cm_err peers_verify_password(struct cm_worker *w, const char *user_id, const char *password,
                             char *email, char *username)
{
    static const char subject[] = "identity.rpc.VerifyPassword";
    Identity__VerifyPasswordRequest req = IDENTITY__VERIFY_PASSWORD_REQUEST__INIT;
    Identity__VerifyPasswordReply *v;
    ProtobufCMessage *m = NULL;
    cm_err err;

    req.user_id = (char *)user_id;
    req.password = (char *)password;
    err = ask(w, subject, &req.base, &identity__verify_password_reply__descriptor, &m);
    if (err != CM_OK)
        return err;
    v = (Identity__VerifyPasswordReply *)m;
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
    ProtobufCMessage *m = NULL;
    char *queries[1] = {(char *)query};
    cm_err err;

    req.user_id = (char *)user_id;
    req.access_queries = queries;
    req.n_access_queries = 1;
    err = ask(w, subject, &req.base, &authz__check_reply__descriptor, &m);
    if (err != CM_OK)
        return err;
    c = (Authz__CheckReply *)m;
    *out_allow = c->allow;
    authz__check_reply__free_unpacked(c, NULL);
    return CM_OK;
}

cm_err peers_individuals(struct cm_worker *w, char *const *ids, size_t n,
                         Authz__PrivacyIndividualsReply **out)
{
    static const char subject[] = "authz.rpc.PrivacyIndividuals";
    Authz__PrivacyIndividualsRequest req = AUTHZ__PRIVACY_INDIVIDUALS_REQUEST__INIT;
    ProtobufCMessage *m = NULL;
    cm_err err;

    req.individual_ids = (char **)ids;
    req.n_individual_ids = n;
    err = ask(w, subject, &req.base, &authz__privacy_individuals_reply__descriptor, &m);
    if (err == CM_OK)
        *out = (Authz__PrivacyIndividualsReply *)m;
    return err;
}

cm_err peers_user_replications(struct cm_worker *w, const char *user_id, char (*out)[64],
                               size_t max, size_t *n)
{
    static const char subject[] = "identity.rpc.ListUserReplications";
    Identity__ListUserReplicationsRequest req = IDENTITY__LIST_USER_REPLICATIONS_REQUEST__INIT;
    Identity__ListUserReplicationsReply *v;
    ProtobufCMessage *m = NULL;
    cm_err err;

    *n = 0;
    req.user_id = (char *)user_id;
    err = ask(w, subject, &req.base, &identity__list_user_replications_reply__descriptor, &m);
    if (err != CM_OK)
        return err;
    v = (Identity__ListUserReplicationsReply *)m;
    for (size_t i = 0; i < v->n_services && *n < max; i++)
        snprintf(out[(*n)++], 64, "%s", v->services[i]);
    identity__list_user_replications_reply__free_unpacked(v, NULL);
    return CM_OK;
}
