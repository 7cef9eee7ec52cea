/* clinical_directory.h: the clinical API's people, read from identity
 * (identity.rpc.ClinicalGetAccounts with the organization): a clinical user is an identity account of the
 * caller's organization (an "OU", named by the organization's name); the
 * seed's `user_id` is the account's username. Only members of the asked
 * organization ever come back. */
#ifndef MESSAGING_CLINICAL_DIRECTORY_H
#define MESSAGING_CLINICAL_DIRECTORY_H

#include <stddef.h>

#include "cm_service.h"

#define CLINICAL_ID_MAX 64
#define CLINICAL_NAME_MAX 256

struct clinical_user {
    char id[CLINICAL_ID_MAX];         /* account uuid */
    char username[CLINICAL_NAME_MAX]; /* the seed's user_id */
    char email[CLINICAL_NAME_MAX];
    int enabled;
    int view_phi; /* holds role "view-phi" in the organization */
};

struct clinical_users {
    char org_id[CLINICAL_ID_MAX];
    char org_name[CLINICAL_NAME_MAX]; /* the seed's primary_ou */
    size_t n;
    struct clinical_user *items; /* caller frees: clinical_users_release */
};

/* Members of the organization org_id (or, when org_id is "", the one named
 * org_name) matching any of the emails (case-insensitive) or usernames
 * (either list may be empty: then only the organization's id and name).
 * On CM_OK *out is filled. CM_ENOTFOUND when there is no such organization;
 * CM_EUNAVAIL / CM_ETIMEOUT when identity does not answer (detail set in
 * rq). */
cm_err clinical_users_find(struct cm_req *rq, const char *org_id, const char *org_name,
                           const char *const *emails, size_t n_emails, const char *const *usernames,
                           size_t n_usernames, struct clinical_users *out);

/* As clinical_users_find, by account ids (uuids) in organization org_id. */
cm_err clinical_users_find_ids(struct cm_req *rq, const char *org_id, const char *const *ids,
                               size_t n_ids, struct clinical_users *out);

/* The member whose id is id; NULL when none. */
const struct clinical_user *clinical_users_by_id(const struct clinical_users *users,
                                                 const char *id);

/* The member of users whose email is email (case-insensitive), preferring
 * the one whose username is that email; NULL when none. Borrowed. */
const struct clinical_user *clinical_users_by_email(const struct clinical_users *users,
                                                    const char *email);

/* The member whose username is username (case-insensitive); NULL when none. */
const struct clinical_user *clinical_users_by_username(const struct clinical_users *users,
                                                       const char *username);

void clinical_users_release(struct clinical_users *users);

#endif
