/* store_limits.h: the limits of sign-up codes and anonymous lookups, kept
 * in table sign_up_limits (migrations/002_sign_up_flow.sql), one row per
 * event, so that they survive codes being replaced or voided. Sliding
 * windows: an event counts for window_s seconds after it happened. */
#ifndef ONBOARDING_STORE_LIMITS_H
#define ONBOARDING_STORE_LIMITS_H

#include <libpq-fe.h>

#include "cm_err.h"

#define LIMIT_USER_WINDOW_S 3600 /* per-username limits count over an hour */
#define LIMIT_SENDS 5            /* confirmation codes sent per username */
#define LIMIT_WRONG 10           /* wrong confirmation codes per username (known or not) */
#define LIMIT_SIGN_UPS 20        /* sign-ups tried per username */
#define LIMIT_ADDR_WINDOW_S 60  /* sign-up + confirm-sign-up per client address: SIGN_UP_ADDR_LIMIT a minute */
#define LIMIT_KEEP_S 86400       /* rows older than this are pruned */

/* Kinds of event (column kind). */
#define LIMIT_KIND_SENT "sent"
#define LIMIT_KIND_WRONG "wrong"
#define LIMIT_KIND_SIGN_UP "sign-up"
#define LIMIT_KIND_ADDR "addr"

/* Counts the events of kind for key (lower-cased for usernames by the
 * caller) in the last window_s seconds: CM_ELIMIT when there are max or
 * more, with the seconds until the oldest leaves the window in
 * *retry_after_s (at least 1). Otherwise CM_OK and, when record is set, one
 * more event is recorded (refused attempts are not: a stranger cannot keep
 * a limit closed by knocking on it). */
cm_err store_limit_take(PGconn *pg, const char *kind, const char *key, int max, int window_s,
                        int record, int *retry_after_s);

/* Records one event of kind for key. */
cm_err store_limit_note(PGconn *pg, const char *kind, const char *key);

/* Deletes events older than keep_s seconds; their count to *out_deleted. */
cm_err store_limits_prune(PGconn *pg, int keep_s, long *out_deleted);

#endif
