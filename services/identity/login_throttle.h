/* login_throttle.h: throttling and locking of repeated failed password
 * checks, by username AND client address (client_addr.h), so that a
 * stranger can slow a user down but never lock them out.
 *
 * Three records (store_login.h), all forgotten LOGIN_LOCK_S after their
 * last failure, none counting throttled or locked attempts:
 *   - the pair (username, address): after LOGIN_THROTTLE_AFTER failures an
 *     attempt within the delay since the last failure (1 s, doubling, at
 *     most 60 s) is refused without checking the password (429); at
 *     LOGIN_LOCK_AFTER failures the pair is locked for LOGIN_LOCK_S (423,
 *     even with the right password). Only that address is locked out.
 *   - the address, across usernames: at LOGIN_ADDR_LOCK_AFTER failures the
 *     address is refused for every username for LOGIN_LOCK_S (429).
 *   - the username, across addresses: after LOGIN_USER_THROTTLE_AFTER
 *     failures, addresses the user has not logged in from within
 *     STORE_LOGIN_KNOWN_DAYS are slowed by the same doubling delay (429);
 *     never locked, and addresses the user logged in from are not slowed.
 * A successful login clears the pair and the username's record and marks
 * the address known; it does not clear the address's record. Every place
 * that checks a user's password (login, the old password of
 * change-password, the password of MFA enable/disable, a wrong TOTP code)
 * goes through the same records. */
#ifndef IDENTITY_LOGIN_THROTTLE_H
#define IDENTITY_LOGIN_THROTTLE_H

#include <libpq-fe.h>

#include "cm_config.h"
#include "cm_err.h"
#include "cm_service.h"
#include "store_auth.h"
#include "store_login.h"

#define LOGIN_THROTTLE_MAX_DELAY_S 60

/* Why an attempt is refused. */
enum login_refusal {
    LOGIN_REFUSAL_NONE = 0,
    LOGIN_REFUSAL_ADDR_LOCKED, /* the address failed too often (429) */
    LOGIN_REFUSAL_PAIR_LOCKED, /* the username is locked for this address (423) */
    LOGIN_REFUSAL_THROTTLED,   /* wait before the next try (429) */
};

/* Seconds an attempt must wait after the last of failures consecutive
 * failures (0 below throttle_after). Pure. */
int login_throttle_delay_s(int throttle_after, int failures);

/* The verdict on one record a, throttled after throttle_after failures and
 * (when lockable) locked by its lock: CM_OK, CM_ELIMIT or CM_ELOCKED with
 * the seconds to wait in *retry_after_s (0 for CM_OK). Pure. */
cm_err login_throttle_decide_one(int throttle_after, int forget_s, int lockable,
                                 const struct attempts *a, int *retry_after_s);

/* The verdict on record r as described above: CM_OK, CM_ELIMIT or
 * CM_ELOCKED, with *retry_after_s and *why. Pure. */
cm_err login_throttle_decide(const struct cm_config *cfg, const struct login_record *r,
                             int *retry_after_s, enum login_refusal *why);

/* Reads the records of (username, rq's client address) and decides. On a
 * refusal the error detail and Retry-After are set on rq (for "password
 * checks" when what is "password", else "logins"). Database errors are
 * returned as they are. */
cm_err login_throttle_check(struct cm_req *rq, const char *username, const char *what);

/* Records a failed password check (or TOTP code) of username from addr. */
cm_err login_throttle_failure(PGconn *pg, const struct cm_config *cfg, const char *username,
                              const char *addr);

/* Records a successful login of username from addr (store_login_success). */
cm_err login_throttle_success(PGconn *pg, const char *username, const char *addr);

/* Checks password against hash (username's) under the records of username
 * and rq's address: CM_ELIMIT or CM_ELOCKED (detail and Retry-After set on
 * rq) before any argon2id work while throttled or locked; CM_EUNAUTH for a
 * wrong password, recorded as a failure; CM_OK for the right one (the
 * records are left as they are: only a login clears them). Database errors
 * are returned as they are. */
cm_err login_throttle_verify(struct cm_req *rq, const char *username, const char *hash,
                             const char *password);

#endif
