/* privacy_rpc.c: the typed RPCs privacy asks authz (authz.proto, "for
 * privacy"): authz.rpc.PrivacyGroups, PrivacyParticipant and
 * PrivacyUserGroups. Privacy names care groups by number and participants
 * by an external id; authz owns both. Callers are services: the ids come
 * from their own checked principal. */
#include <stdlib.h>
#include <string.h>

#include "authz.pb-c.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "handlers.h"
#include "privacy_rpc.h"
#include "store_privacy.h"

/* Packs recs (n) as a PrivacyGroupsReply into *out_payload. */
static void pack_groups(const struct privacy_group_rec *recs, size_t n, uint8_t **out_payload,
                        size_t *out_len)
{
    Authz__PrivacyGroupsReply reply = AUTHZ__PRIVACY_GROUPS_REPLY__INIT;
    Authz__PrivacyGroup *g = calloc(n ? n : 1, sizeof *g);
    Authz__PrivacyGroup **gp = calloc(n ? n : 1, sizeof *gp);

    if (!g || !gp)
        abort(); /* the one OOM policy (cm_alloc.h) */
    for (size_t i = 0; i < n; i++) {
        authz__privacy_group__init(&g[i]);
        g[i].group_id = (char *)recs[i].group_id;
        g[i].organization_id = (char *)recs[i].organization_id;
        g[i].number = recs[i].number;
        g[i].name = (char *)recs[i].name;
        gp[i] = &g[i];
    }
    reply.n_groups = n;
    reply.groups = gp;
    *out_payload = cm_pack(&reply.base, out_len);
    free(gp);
    free(g);
}

cm_err authz_rpc_privacy_groups(struct cm_worker *w, const Envelope__RpcRequest *req,
                                uint8_t **out_payload, size_t *out_len)
{
    Authz__PrivacyGroupsRequest *in =
        authz__privacy_groups_request__unpack(NULL, req->payload.len, req->payload.data);
    struct privacy_group_rec *recs = NULL;
    size_t n = 0;
    cm_err err;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a PrivacyGroupsRequest");
    if (!cm_uuid_valid(in->organization_id) || in->number < 0)
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id must be a uuid, number >= 0");
    else
        err = store_privacy_groups(w->pg, in->organization_id, in->number, &recs, &n);
    if (err == CM_OK)
        pack_groups(recs, n, out_payload, out_len);
    free(recs);
    authz__privacy_groups_request__free_unpacked(in, NULL);
    return err;
}

cm_err authz_rpc_privacy_participant(struct cm_worker *w, const Envelope__RpcRequest *req,
                                     uint8_t **out_payload, size_t *out_len)
{
    Authz__PrivacyParticipantRequest *in =
        authz__privacy_participant_request__unpack(NULL, req->payload.len, req->payload.data);
    Authz__PrivacyParticipantReply reply = AUTHZ__PRIVACY_PARTICIPANT_REPLY__INIT;
    char user_id[40];
    cm_err err;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a PrivacyParticipantRequest");
    if (!cm_uuid_valid(in->organization_id) || !in->external_id[0] ||
        strlen(in->external_id) > 255)
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id must be a uuid, external_id 1..255");
    else
        err = store_privacy_participant(w->pg, in->organization_id, in->external_id, user_id);
    if (err == CM_OK) {
        reply.user_id = user_id;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    authz__privacy_participant_request__free_unpacked(in, NULL);
    return err;
}

cm_err authz_rpc_privacy_user_groups(struct cm_worker *w, const Envelope__RpcRequest *req,
                                     uint8_t **out_payload, size_t *out_len)
{
    Authz__PrivacyUserGroupsRequest *in =
        authz__privacy_user_groups_request__unpack(NULL, req->payload.len, req->payload.data);
    struct privacy_group_rec *recs = NULL;
    size_t n = 0;
    cm_err err;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a PrivacyUserGroupsRequest");
    if (!cm_uuid_valid(in->user_id))
        err = cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid");
    else
        err = store_privacy_user_groups(w->pg, in->user_id, &recs, &n);
    if (err == CM_OK)
        pack_groups(recs, n, out_payload, out_len);
    free(recs);
    authz__privacy_user_groups_request__free_unpacked(in, NULL);
    return err;
}

/* Splits csv (modified in place) into parts (room for max); their count. */
static size_t split(char *csv, char **parts, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(csv, ",", &save); t && n < max;
         t = strtok_r(NULL, ",", &save))
        parts[n++] = t;
    return n;
}

cm_err authz_rpc_privacy_individuals(struct cm_worker *w, const Envelope__RpcRequest *req,
                                     uint8_t **out_payload, size_t *out_len)
{
    Authz__PrivacyIndividualsRequest *in =
        authz__privacy_individuals_request__unpack(NULL, req->payload.len, req->payload.data);
    Authz__PrivacyIndividualsReply reply = AUTHZ__PRIVACY_INDIVIDUALS_REPLY__INIT;
    struct privacy_individual_rec *recs = NULL;
    size_t n = 0;
    cm_err err = CM_OK;

    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "payload is not a PrivacyIndividualsRequest");
    if (in->n_individual_ids > 100)
        err = cm_rpc_fail(w, CM_EINVAL, "at most 100 individual ids");
    for (size_t i = 0; err == CM_OK && i < in->n_individual_ids; i++)
        if (!cm_uuid_valid(in->individual_ids[i]))
            err = cm_rpc_fail(w, CM_EINVAL, "individual_ids[%zu] must be a uuid", i);
    if (err == CM_OK)
        err = store_privacy_individuals(w->pg, in->individual_ids, in->n_individual_ids, &recs, &n);
    if (err == CM_OK) {
        Authz__PrivacyIndividual *v = calloc(n ? n : 1, sizeof *v);
        Authz__PrivacyIndividual **vp = calloc(n ? n : 1, sizeof *vp);
        char *(*groups)[64] = calloc(n ? n : 1, sizeof *groups);
        if (!v || !vp || !groups)
            abort(); /* the one OOM policy (cm_alloc.h) */
        for (size_t i = 0; i < n; i++) {
            authz__privacy_individual__init(&v[i]);
            v[i].individual_id = recs[i].id;
            v[i].owner_id = recs[i].owner_id;
            v[i].user_id = recs[i].user_id;
            v[i].first_name = recs[i].first_name;
            v[i].last_name = recs[i].last_name;
            v[i].email = recs[i].email;
            v[i].phone = recs[i].phone;
            v[i].birth_date = recs[i].birth_date;
            v[i].n_group_ids = split(recs[i].group_ids, groups[i], 64);
            v[i].group_ids = groups[i];
            vp[i] = &v[i];
        }
        reply.n_individuals = n;
        reply.individuals = vp;
        *out_payload = cm_pack(&reply.base, out_len);
        free(groups);
        free(vp);
        free(v);
    }
    free(recs);
    authz__privacy_individuals_request__free_unpacked(in, NULL);
    return err;
}
