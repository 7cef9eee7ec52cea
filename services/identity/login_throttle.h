/* login_throttle.h: throttling and locking of repeated failed logins, per
 * lower-cased username whether or not it exists (table login_attempts).
 *
 * After LOGIN_THROTTLE_AFTER consecutive failures, an attempt within the
 * delay since the last failure (1 s, doubling with each further failure,
 * at most 60 s) is refused without checking the password (429). At
 * LOGIN_LOCK_AFTER failures the username is locked for LOGIN_LOCK_S (423,
 * even with the right password). A success clears the record; failures
 * older than LOGIN_LOCK_S are forgotten. Throttled and locked attempts are
 * not failures themselves. Every place that checks a user's password (login,
 * the old password of change-password, the password of MFA enable/disable)
 * goes through the same record. */
#ifndef IDENTITY_LOGIN_THROTTLE_H
#define IDENTITY_LOGIN_THROTTLE_H

#include <libpq-fe.h>

#include "cm_config.h"
#include "cm_err.h"
#include "store_auth.h"

#define LOGIN_THROTTLE_MAX_DELAY_S 60

/* Seconds an attempt must wait after the last of failures consecutive
 * failures (0 below throttle_after). Pure. */
int login_throttle_delay_s(int throttle_after, int failures);

/* The verdict on record a: CM_OK (may try), CM_ELIMIT (throttled) or
 * CM_ELOCKED, with the seconds to wait in *retry_after_s (0 for CM_OK).
 * Pure. */
cm_err login_throttle_decide(const struct cm_config *cfg, const struct attempts *a,
                             int *retry_after_s);

/* Reads username's record and decides (login_throttle_decide); database
 * errors are returned as they are. */
cm_err login_throttle_check(PGconn *pg, const struct cm_config *cfg, const char *username,
                            int *retry_after_s);

/* Records a failed login of username (a lock when it reaches the limit). */
cm_err login_throttle_failure(PGconn *pg, const struct cm_config *cfg, const char *username);

/* Checks password against hash (username's) under username's record:
 * CM_ELIMIT or CM_ELOCKED with *retry_after_s before any argon2id work
 * while throttled or locked; CM_EUNAUTH for a wrong password, recorded as a
 * failure; CM_OK for the right one (the record is left as it is: only a
 * login clears it). Database errors are returned as they are. */
cm_err login_throttle_verify(PGconn *pg, const struct cm_config *cfg, const char *username,
                             const char *hash, const char *password, int *retry_after_s);

#endif
