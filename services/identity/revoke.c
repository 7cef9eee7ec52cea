/* revoke.c: a user's tokens stopped with their token generation, and the
 * SessionRevoked event that tells the edge (revoke.h). */
#include "revoke.h"

#include <time.h>

#include "cm_outbox.h"
#include "handlers.h"
#include "identity.pb-c.h"

cm_err revoke_user_tokens(PGconn *pg, const char *user_id, const char *reason,
                          enum revoke_sessions scope, const char *org)
{
    Identity__SessionRevoked ev = IDENTITY__SESSION_REVOKED__INIT;
    char occurred_at[40];
    int64_t gen = 0, at = 0;
    time_t t;
    struct tm tm;
    cm_err err = store_user_tokens_cut(pg, user_id, reason, scope, org, &gen, &at);

    if (err != CM_OK)
        return err;
    t = (time_t)at;
    gmtime_r(&t, &tm);
    strftime(occurred_at, sizeof occurred_at, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
    ev.user_id = (char *)user_id;
    ev.session_id = "";
    ev.reason = (char *)reason;
    ev.occurred_at = occurred_at;
    ev.min_token_gen = gen;
    /* for edges that predate min_token_gen: their second-precision cut */
    ev.revoked_before = at;
    return cm_outbox_add(pg, IDENTITY_EVT_SESSION_REVOKED, &ev.base, NULL);
}
