/* store_invitations.h: onboarding's SQL for registration invitations
 * (table in migrations/004_onboarding_requests.sql). Records only. */
#ifndef ONBOARDING_STORE_INVITATIONS_H
#define ONBOARDING_STORE_INVITATIONS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

struct inv_rec {
    const char *id, *code, *organization_id, *invited_email, *created_by, *created_time;
    const char *claimed_by, *claimed_time; /* "" until claimed */
    const char *last_invite;               /* JSON object text, "" none */
};

struct inv_list {
    size_t n;
    struct inv_rec *items;
    char *mem;
};

void store_inv_list_free(struct inv_list *l);

/* A new invitation (id, times, claim and last_invite are the store's). */
cm_err store_inv_insert(PGconn *pg, const struct inv_rec *n, struct inv_list *out);

/* Invitation id (a uuid); CM_ENOTFOUND when none. */
cm_err store_inv_get(PGconn *pg, const char *id, struct inv_list *out);

/* The invitations of organization_id, oldest first. */
cm_err store_inv_list(PGconn *pg, const char *organization_id, long limit, long offset,
                      struct inv_list *out);

/* Sets the last invitation sent for id (JSON object text). */
cm_err store_inv_sent(PGconn *pg, const char *id, const char *invite);

/* Claims the unclaimed invitation whose code is sign-up sign_up_id's
 * referral code, in its organization; the claimed one (id,
 * organization_id, claimed_by only) to out, n 0 when none. Call in the
 * confirmation's transaction. */
cm_err store_inv_claim_by_sign_up(PGconn *pg, const char *sign_up_id, struct inv_list *out);

#endif
