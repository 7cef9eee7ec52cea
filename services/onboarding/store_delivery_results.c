/* store_delivery_results.c: messaging's delivery events onto onboarding
 * requests (store_delivery_results.h). */
#include "store_delivery_results.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "delivery_feed.h"
#include "onboarding_events.h"

/* last-invite.<channel> of the requests whose invite is message $1 gets the
 * members of $2, unless a gateway already reported its final status. */
#define INVITE_SQL                                                                                 \
    "UPDATE onboarding_requests SET"                                                               \
    " last_invite_email = CASE WHEN last_invite_email->>'id' = $1"                                 \
    "  AND coalesce(last_invite_email->>'status', '') NOT IN ('delivered', 'undelivered')"         \
    "  THEN last_invite_email || $2::jsonb ELSE last_invite_email END,"                            \
    " last_invite_sms = CASE WHEN last_invite_sms->>'id' = $1"                                     \
    "  AND coalesce(last_invite_sms->>'status', '') NOT IN ('delivered', 'undelivered')"           \
    "  THEN last_invite_sms || $2::jsonb ELSE last_invite_sms END,"                                \
    " last_modified_time = now()"                                                                  \
    " WHERE last_invite_email->>'id' = $1 OR last_invite_sms->>'id' = $1"                          \
    " RETURNING id::text, organization_id::text"

/* email-dsn of the requests whose email invite is message $1. */
#define DSN_SQL                                                                                    \
    "UPDATE onboarding_requests SET email_dsn = jsonb_build_object('id', $1::text,"                \
    " 'type', 'email-dsn', 'attributes', jsonb_build_object('bounce',"                             \
    " jsonb_build_object('type', $2::text, 'subtype', $3::text), 'email', patient_email,"          \
    " 'state', 'bounced', 'created-at', $4::text, 'status-at', $4::text)),"                        \
    " last_modified_time = now()"                                                                  \
    " WHERE last_invite_email->>'id' = $1"                                                         \
    " RETURNING id::text, organization_id::text"

static cm_err apply(PGconn *pg, const struct delivery_result *r, PGresult **res)
{
    if (!strcmp(r->change, "bounced")) {
        const char *v[4] = {r->message_id, r->bounce_type, r->bounce_subtype, r->occurred_at};
        return cm_pg_query(pg, DSN_SQL, 4, v, res);
    }
    json_t *patch = !strcmp(r->change, "sent")
                        ? json_pack("{s:s, s:s}", "status", "sent", "respond-time", r->occurred_at)
                        : json_pack("{s:s, s:s, s:s}", "status", "error", "error", r->error,
                                    "respond-time", r->occurred_at);
    char *text = patch ? json_dumps(patch, JSON_COMPACT) : NULL;
    const char *v[2] = {r->message_id, text};
    cm_err err = text ? cm_pg_query(pg, INVITE_SQL, 2, v, res) : CM_ENOMEM;

    json_decref(patch);
    free(text);
    return err;
}

cm_err store_delivery_result_apply(PGconn *pg, const struct delivery_result *r, int *out_applied)
{
    const char *in[2] = {DELIVERY_FEED_CONSUMER, r->event_id};
    PGresult *res = NULL;
    long fresh = 0;
    cm_err err = cm_pg_begin(pg);

    *out_applied = 0;
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2::uuid)"
                            " ON CONFLICT DO NOTHING",
                            2, in, &fresh);
    if (err == CM_OK && fresh > 0 &&
        (!strcmp(r->change, "sent") || !strcmp(r->change, "failed") ||
         !strcmp(r->change, "bounced"))) {
        err = apply(pg, r, &res);
        for (int i = 0; err == CM_OK && i < PQntuples(res); i++)
            err = event_request(pg, "updated", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), "");
        PQclear(res);
    }
    err = cm_pg_end(pg, err);
    if (err == CM_OK)
        *out_applied = fresh > 0;
    return err;
}
