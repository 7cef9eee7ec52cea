/* store_privacy.h: what privacy asks authz about its care groups and
 * participants (privacy_rpc.c): groups by number, a participant by external
 * id, and the groups that hold a user. The only SQL of those RPCs. */
#ifndef AUTHZ_STORE_PRIVACY_H
#define AUTHZ_STORE_PRIVACY_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

#define PRIVACY_GROUPS_MAX 1000

struct privacy_group_rec {
    char group_id[40];
    char organization_id[40];
    long long number;
    char name[256];
};

/* Groups of organization_id (a uuid) by number; number > 0: that one only.
 * On CM_OK *out (caller frees) holds *n records, at most PRIVACY_GROUPS_MAX;
 * CM_ENOTFOUND when number > 0 names none. */
cm_err store_privacy_groups(PGconn *pg, const char *organization_id, long long number,
                            struct privacy_group_rec **out, size_t *n);

/* The account that external_id names in organization_id (user id or
 * username of a member, or id of an individual it owns that has an account)
 * into user_id (40 bytes). CM_ENOTFOUND when none. */
cm_err store_privacy_participant(PGconn *pg, const char *organization_id,
                                 const char *external_id, char *user_id);

/* The groups holding an individual of user_id (a uuid), and their
 * ancestors. Same output as store_privacy_groups (none: CM_OK, *n = 0). */
cm_err store_privacy_user_groups(PGconn *pg, const char *user_id,
                                 struct privacy_group_rec **out, size_t *n);

struct privacy_individual_rec {
    char id[40], owner_id[40], user_id[40];
    char first_name[256], last_name[256], email[256], phone[64], birth_date[16];
    char group_ids[2048]; /* comma-separated */
};

/* The individuals among ids (n <= 100 uuids) into *out (caller frees), *n_out. */
cm_err store_privacy_individuals(PGconn *pg, char *const *ids, size_t n,
                                 struct privacy_individual_rec **out, size_t *n_out);

#endif
