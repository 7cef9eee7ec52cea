/* revoke.h: stopping the tokens a user already holds, in the transaction of
 * the change that calls for it (DESIGN.md §6).
 *
 * Every access token carries its user's token generation (claim "gen",
 * users.token_gen). revoke_user_tokens raises the generation and writes
 * SessionRevoked {user_id, min_token_gen} to the outbox; the edge then
 * refuses the user's tokens below it. Because a token's generation and
 * roles are read in one statement, a token issued before the change commits
 * carries the old generation (refused) and one issued after carries the new
 * one and the new roles (accepted): exact, whatever the timing.
 *
 * What happens to the sessions (their refresh tokens) depends on the
 * change: disable and password change revoke them all (the user logs in
 * again); a lost role revokes none (a refresh issues tokens with the
 * current roles); a lost membership revokes those whose organization it
 * was (a session of another organization refreshes). */
#ifndef IDENTITY_REVOKE_H
#define IDENTITY_REVOKE_H

#include <libpq-fe.h>

#include "cm_err.h"
#include "store_auth.h"

/* Raises user_id's token generation, revokes the sessions scope names
 * (org: the organization of REVOKE_SESSIONS_OF_ORG, else unused) with
 * reason, and writes SessionRevoked {user_id, reason, min_token_gen,
 * revoked_before} to the outbox. Call inside the transaction of the
 * change. CM_ENOTFOUND when the user does not exist. */
cm_err revoke_user_tokens(PGconn *pg, const char *user_id, const char *reason,
                          enum revoke_sessions scope, const char *org);

#endif
