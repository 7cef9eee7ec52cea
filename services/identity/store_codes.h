/* store_codes.h: identity's SQL for codes sent to a user's addresses and
 * for the counts that bound guessing them: password-reset codes, pending
 * email changes with their verification codes, and code_throttle's
 * one-hour windows (migration 004_account_codes.sql). Codes are stored only
 * as their BLAKE2b-256 hash. All parameterized; nothing here knows about
 * NATS or HTTP. Usernames are lower-cased in SQL, the way they are stored. */
#ifndef IDENTITY_STORE_CODES_H
#define IDENTITY_STORE_CODES_H

#include <libpq-fe.h>
#include <stdint.h>

#include "cm_err.h"
#include "store_auth.h" /* STORE_HASH_BYTES */

/* --- counts in one-hour windows --- */

/* Counts one event of (scope, lower(key)) in its window (a new window of window_s
 * seconds starts when the last one is over) and reads the count, this
 * event included, into *count and the seconds until the window ends
 * (at least 1) into *retry_after_s. A few rows whose window started over two
 * hours ago are deleted on the way. */
cm_err store_throttle_add(PGconn *pg, const char *scope, const char *key, int window_s,
                          int *count, int *retry_after_s);

/* As store_throttle_add without counting: *count is 0 when there is no
 * window running. */
cm_err store_throttle_get(PGconn *pg, const char *scope, const char *key, int window_s,
                          int *count, int *retry_after_s);

/* --- password-reset codes --- */

/* Call inside a transaction. Stores code_hash as the pending reset code of
 * the enabled user lower(username), valid ttl_s seconds, when the user's
 * address for the channel (phone when sms, else email) is verified and not
 * empty, no pending code of the user is younger than resend_s seconds, and
 * fewer than max_sends codes were made for the user in the last hour. The
 * pending code it replaces stays recorded, voided ('replaced'); codes older
 * than 30 days are forgotten. *sent says whether a code was stored (and so
 * must be sent); the address goes to `to` (256 bytes) then. The same
 * statements run whether the user exists or not. */
cm_err store_reset_code_put(PGconn *pg, const char *username, int sms,
                            const uint8_t code_hash[STORE_HASH_BYTES], int ttl_s, int resend_s,
                            int max_sends, int *sent, char *to);

/* Call inside a transaction. Checks code_hash against the pending,
 * unexpired code of the enabled user lower(username), locking the user and
 * the code (in that order, as store_reset_code_put does). On a
 * match the code is marked used and the user id goes to user_id (40
 * bytes): CM_OK. On a mismatch the attempt is counted and the code voided
 * ('wrong_codes', kept) at max_attempts: CM_EDENIED. CM_ENOTFOUND when
 * there is no valid code. A right email code to a password-less account
 * that was never confirmed (made by an administrator) also verifies its
 * email and registers it: that is how such an account is activated. */
cm_err store_reset_code_take(PGconn *pg, const char *username,
                             const uint8_t code_hash[STORE_HASH_BYTES], int max_attempts,
                             char *user_id);

/* --- pending email changes --- */

/* Call inside a transaction. When email is already user_id's verified
 * address (case aside) nothing changes and *unchanged is 1. Otherwise,
 * unless max_changes changes were asked for user_id in the last hour
 * (CM_ELIMIT, *retry_after_s set), voids its pending change ('replaced',
 * kept) and records email as pending with code_hash, valid ttl_s seconds;
 * the user's current address goes to old_email (256 bytes, "" none).
 * CM_ENOTFOUND when the user is gone. */
cm_err store_email_change_put(PGconn *pg, const char *user_id, const char *email,
                              const uint8_t code_hash[STORE_HASH_BYTES], int ttl_s,
                              int max_changes, char *old_email, int *unchanged,
                              int *retry_after_s);

/* Call inside a transaction. Checks code_hash against user_id's pending,
 * unexpired change, locking the user and the change (in that order, as
 * store_email_change_put does). On a match the user's email becomes the
 * pending address, verified, and the change is marked verified: CM_OK. On a
 * mismatch the attempt is counted and the change voided ('wrong_codes') at
 * max_attempts: CM_EDENIED. CM_ENOTFOUND when there is no pending change. */
cm_err store_email_change_take(PGconn *pg, const char *user_id,
                               const uint8_t code_hash[STORE_HASH_BYTES], int max_attempts);

#endif
