/* projection_store.h: the SQL of authz's projection of identity (tables
 * users, memberships, user_roles, projection_state and inbox): applying one
 * event, writing a page of a re-population, and reading a user's status.
 * All parameterized; nothing here knows about NATS or HTTP. */
#ifndef AUTHZ_PROJECTION_STORE_H
#define AUTHZ_PROJECTION_STORE_H

#include <jansson.h>
#include <libpq-fe.h>

#include "cm_err.h"
#include "projection.h"

#define PROJECTION_TIME_LEN 40 /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" + NUL, with room */

/* Applies c, the event event_id (a uuid), in one transaction: records
 * event_id in inbox for PROJECTION_CONSUMER, changes the tables, raises
 * users.latest_event_at and projection_state.latest_event_at to
 * c->occurred_at, commits. *out_applied is 1 then, and 0 (nothing changed)
 * when inbox already held event_id. On an error the transaction is rolled
 * back: CM_EINVAL when the database refuses the values (retrying cannot
 * help), CM_EUNAVAIL / CM_ETIMEOUT / CM_EINTERNAL otherwise. */
cm_err projection_store_apply(PGconn *pg, const char *event_id, const struct projection_change *c,
                              int *out_applied);

/* Takes the session-level advisory lock that serialises re-populations
 * across copies of authz, without waiting: CM_ECONFLICT when another
 * session holds it. Release with projection_store_unlock. */
cm_err projection_store_lock(PGconn *pg);
void projection_store_unlock(PGconn *pg);

/* The database's now() into out (PROJECTION_TIME_LEN), RFC 3339 UTC. */
cm_err projection_store_now(PGconn *pg, char *out);

/* Writes one page of identity's export in one transaction. page is a JSON
 * array of {"id", "username", "email", "first_name", "last_name",
 * "enabled", "platform_admin", "m": [{"o": organization id, "r": [role
 * names]}]}. Each user whose latest_event_at is NULL or before started
 * (RFC 3339) is upserted with last_populated_at = now(), and its
 * memberships and roles replaced by the page's; the others are left to
 * their events. Counts go to *out_written and *out_skipped. */
cm_err projection_store_page(PGconn *pg, const json_t *page, const char *started,
                             unsigned *out_written, unsigned *out_skipped);

/* Ends a complete re-population started at started: removes the users
 * (with their memberships and roles) that it did not write and that got no
 * event since started — identity no longer has them —, and sets
 * projection_state.last_populated_at to now(). Their count to *out_removed
 * and the new last_populated_at to out (PROJECTION_TIME_LEN). */
cm_err projection_store_finish(PGconn *pg, const char *started, unsigned *out_removed, char *out);

/* True (1) into *out when projection_state.last_populated_at is set. */
cm_err projection_store_populated(PGconn *pg, int *out);

/* One user's projection status. Times are RFC 3339 UTC or "" for NULL. */
struct projection_user_status {
    char last_populated_at[PROJECTION_TIME_LEN];
    char latest_event_at[PROJECTION_TIME_LEN];
    int populated; /* projection_state.last_populated_at is set */
    int in_org;    /* the user is a member of the organization asked about */
};

/* Reads user_id's status; in_org tells whether it belongs to org (a uuid,
 * or "" for none). CM_ENOTFOUND when the projection has no such user. */
cm_err projection_store_user_status(PGconn *pg, const char *user_id, const char *org,
                                    struct projection_user_status *out);

#endif
