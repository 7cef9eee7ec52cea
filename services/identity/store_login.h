/* store_login.h: SQL of the per-address login records (migration
 * 006_login_by_address.sql): a username from one address (pair), one
 * address across usernames (ip), and the addresses a username logged in
 * from. The username's own record is store_auth.h's login_attempts. All
 * parameterized; usernames lower-cased in SQL. */
#ifndef IDENTITY_STORE_LOGIN_H
#define IDENTITY_STORE_LOGIN_H

#include <libpq-fe.h>

#include "cm_err.h"
#include "store_auth.h"

/* Days a successful login keeps an address "known" for its username. */
#define STORE_LOGIN_KNOWN_DAYS 90
#define STORE_LOGIN_KNOWN_DAYS_SQL "90"

/* Everything the throttle decides on, for one (username, address). */
struct login_record {
    struct attempts user; /* the username from any address (never locked) */
    struct attempts pair; /* the username from this address */
    struct attempts ip;   /* this address, any username */
    int known_addr;       /* the username logged in from this address lately */
};

/* Reads the record of (username, addr) in one statement. */
cm_err store_login_record(PGconn *pg, const char *username, const char *addr,
                          struct login_record *out);

/* Records one failure of username from addr: on the username (never
 * locked), the pair (locked at pair_lock_after) and the address (locked at
 * ip_lock_after); failures older than forget_s start over; a lock lasts
 * lock_s. */
cm_err store_login_fail(PGconn *pg, const char *username, const char *addr, int forget_s,
                        int pair_lock_after, int ip_lock_after, int lock_s);

/* A successful login of username from addr: forgets the pair's failures
 * and remembers addr as known. (The username's record is cleared with the
 * session, store_auth.h; the address's is not: one good account must not
 * reset an address that guesses others.) */
cm_err store_login_success(PGconn *pg, const char *username, const char *addr);

#endif
