/* store_levels.h: privacy's tables of requested and set privacy levels
 * (migrations/001_privacy_levels.sql). The only SQL of the privacy API.
 * Level sets are masks (levels.h); ids are uuids checked by the caller. */
#ifndef PRIVACY_STORE_LEVELS_H
#define PRIVACY_STORE_LEVELS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "peers.h"

/* What a group was asked (mask 0 clears it). */
cm_err store_group_request_set(PGconn *pg, const struct peer_group *g, int levels);
/* Its mask to *out (0 when never asked). */
cm_err store_group_request_get(PGconn *pg, const char *group_id, int *out);

/* Union of what was asked of groups (n ids) to *out. */
cm_err store_groups_requested(PGconn *pg, const struct peer_group *groups, size_t n, int *out);

/* What organization_id asked of user_id (mask 0 clears it). */
cm_err store_participant_request_set(PGconn *pg, const char *organization_id,
                                     const char *user_id, int levels);
cm_err store_participant_request_get(PGconn *pg, const char *organization_id,
                                     const char *user_id, int *out);

/* The participant sets levels, which counts as reviewing every request
 * made so far. */
cm_err store_settings_set(PGconn *pg, const char *user_id, int levels);

/* What user_id set (0 when nothing) to *out. */
cm_err store_settings_get(PGconn *pg, const char *user_id, int *out);

/* Where a participant stands: what they set, what their groups (ids, n)
 * and every organization asked of them, and whether a notice is due (a
 * request asks more than they set, made after their last review). */
struct standing {
    int set;       /* their own levels (0 when never set) */
    int requested; /* union of every request */
    int notice;    /* 1: ask them to review their settings */
};
cm_err store_standing(PGconn *pg, const char *user_id, const struct peer_group *groups, size_t n,
                      struct standing *out);

#endif
