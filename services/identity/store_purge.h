/* store_purge.h: what identity's part of privacy's deletion saga reads and
 * erases (verify_password_rpc.c, purge_rpc.c). */
#ifndef IDENTITY_STORE_PURGE_H
#define IDENTITY_STORE_PURGE_H

#include <libpq-fe.h>

#include "cm_err.h"
#include "password_hash.h"

/* Who user_id is, for re-authentication: email and username (256 bytes
 * each) and password hash (PW_HASH_MAX; "" without one). CM_ENOTFOUND when
 * there is no such user. */
cm_err store_purge_subject(PGconn *pg, const char *user_id, char *email, char *username,
                           char *hash);

/* 1 into *out when user_id exists (locking its row until the transaction
 * ends), else 0. */
cm_err store_purge_lock_user(PGconn *pg, const char *user_id, int *out);

/* The statements of identity's step of privacy's deletion saga, in order, for
 * cm_purge_serve ($1 the person's id, $2 their names: libcommon/cm_purge.h);
 * a table that holds a person's data gets one line here. */
extern const char *const store_purge_statements[];

#endif
