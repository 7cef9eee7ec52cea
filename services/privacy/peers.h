/* peers.h: privacy's typed RPC calls to authz, which owns care groups and
 * knows each organization's participants (authz.proto, "for privacy").
 * Each blocks a request worker for at most RPC_TIMEOUT_MS. */
#ifndef PRIVACY_PEERS_H
#define PRIVACY_PEERS_H

#include <stddef.h>

#include "authz.pb-c.h"
#include "cm_service.h"

struct peer_group {
    char group_id[40];
    char organization_id[40];
    long long number;
    char name[256];
};

/* The group of organization_id numbered number (> 0) into *out.
 * CM_ENOTFOUND when it has none; CM_EUNAVAIL / CM_ETIMEOUT when authz does
 * not answer. */
cm_err peers_group(struct cm_worker *w, const char *organization_id, long long number,
                   struct peer_group *out);

/* Every group of organization_id (at most 1000) into *out (caller frees),
 * their count to *n. */
cm_err peers_groups(struct cm_worker *w, const char *organization_id, struct peer_group **out,
                    size_t *n);

/* The user that external_id names in organization_id into user_id (40
 * bytes); CM_ENOTFOUND when none. */
cm_err peers_participant(struct cm_worker *w, const char *organization_id,
                         const char *external_id, char *user_id);

/* The groups holding user_id's individuals and their ancestors (caller
 * frees *out). */
cm_err peers_user_groups(struct cm_worker *w, const char *user_id, struct peer_group **out,
                         size_t *n);

/* authz.rpc.Check: may user_id do query ("type:id:operation")? *out_allow. */
cm_err peers_check(struct cm_worker *w, const char *user_id, const char *query, int *out_allow);

/* authz.rpc.PrivacyIndividuals for ids (n <= 100): the reply (caller
 * authz__privacy_individuals_reply__free_unpacked) into *out. */
cm_err peers_individuals(struct cm_worker *w, char *const *ids, size_t n,
                         Authz__PrivacyIndividualsReply **out);

/* identity.rpc.VerifyPassword: CM_OK when password is user_id's, with
 * their email and username (256 bytes each; never logged); CM_EDENIED when
 * it is not (or the user does not exist). */
cm_err peers_verify_password(struct cm_worker *w, const char *user_id, const char *password,
                             char *email, char *username);

/* identity.rpc.ListUserReplications: the services named in user_id's
 * user-replications (at most max, 64 bytes each) into out, their count to
 * *n. */
cm_err peers_user_replications(struct cm_worker *w, const char *user_id, char (*out)[64],
                               size_t max, size_t *n);

#endif
