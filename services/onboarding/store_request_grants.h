/* store_request_grants.h: onboarding's SQL for the grants step of
 * onboarding requests (migrations/005_request_grants.sql): which requests
 * still have individual-group-ids or provider-roles to apply to their
 * account, and marking them applied. Records only. */
#ifndef ONBOARDING_STORE_REQUEST_GRANTS_H
#define ONBOARDING_STORE_REQUEST_GRANTS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* A request whose grants are due: the account is claimed_by when claimed,
 * else the auto-sign-up account (patient). */
struct req_grant_rec {
    const char *id, *organization_id, *user_id;
    const char *group_ids, *role_names; /* JSON arrays of strings */
};

/* Owned (store_req_grant_list_free; a zeroed list is empty). */
struct req_grant_list {
    size_t n;
    struct req_grant_rec *items;
    char *mem;
};

void store_req_grant_list_free(struct req_grant_list *l);

/* Up to limit requests with grants due (account made or request claimed,
 * groups or roles given, not applied), oldest first; only those of account
 * user_id when it is not "". */
cm_err store_req_grants_due(PGconn *pg, const char *user_id, long limit,
                            struct req_grant_list *out);

/* Marks request id's grants applied. */
cm_err store_req_grants_applied(PGconn *pg, const char *id);

#endif
