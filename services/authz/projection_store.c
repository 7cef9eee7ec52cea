/* projection_store.c: the SQL of authz's projection of identity
 * (projection_store.h). Times go in and out as RFC 3339 text. */
#include "projection_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"

#define TS(expr) "to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
/* the key of the re-population lock: any constant no other lock uses */
#define REPOPULATE_LOCK "hashtext('authz.projection.repopulate')"

/* The statements that apply c (inside the transaction). */
static cm_err apply_change(PGconn *pg, const struct projection_change *c)
{
    const char *user[8] = {c->user_id,
                           c->username,
                           c->email,
                           c->first_name,
                           c->last_name,
                           c->enabled ? "t" : "f",
                           c->platform_admin ? "t" : "f",
                           c->occurred_at};
    const char *touch[2] = {c->user_id, c->occurred_at};
    const char *pair[2] = {c->user_id, c->organization_id};
    const char *role[3] = {c->user_id, c->organization_id, c->role_name};
    cm_err err = CM_OK;

    if (c->kind == PROJECTION_USER)
        return cm_pg_command(
            pg,
            "INSERT INTO users (id, username, email, first_name, last_name, enabled, "
            "platform_admin, latest_event_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) ON CONFLICT (id) DO UPDATE SET "
            "username = EXCLUDED.username, email = EXCLUDED.email, "
            "first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, "
            "enabled = EXCLUDED.enabled, platform_admin = EXCLUDED.platform_admin, "
            "latest_event_at = greatest(users.latest_event_at, EXCLUDED.latest_event_at), "
            "updated_at = now()",
            8, user, NULL);
    /* a membership or role: the user's row records the event's time (a
     * placeholder row when the user's own events were never seen) */
    err = cm_pg_command(
        pg,
        "INSERT INTO users (id, latest_event_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE "
        "SET latest_event_at = greatest(users.latest_event_at, EXCLUDED.latest_event_at), "
        "updated_at = now()",
        2, touch, NULL);
    if (err != CM_OK)
        return err;
    switch (c->kind) {
    case PROJECTION_MEMBERSHIP_ADDED:
        return cm_pg_command(pg,
                             "INSERT INTO memberships (user_id, organization_id) VALUES ($1, $2) "
                             "ON CONFLICT DO NOTHING",
                             2, pair, NULL);
    case PROJECTION_MEMBERSHIP_REMOVED:
        err =
            cm_pg_command(pg, "DELETE FROM memberships WHERE user_id = $1 AND organization_id = $2",
                          2, pair, NULL);
        if (err == CM_OK) /* identity removes the roles with the membership */
            err = cm_pg_command(
                pg, "DELETE FROM user_roles WHERE user_id = $1 AND organization_id = $2", 2, pair,
                NULL);
        return err;
    case PROJECTION_ROLE_ADDED:
        return cm_pg_command(pg,
                             "INSERT INTO user_roles (user_id, organization_id, role_name) "
                             "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                             3, role, NULL);
    case PROJECTION_ROLE_REMOVED:
        return cm_pg_command(pg,
                             "DELETE FROM user_roles WHERE user_id = $1 AND organization_id = $2 "
                             "AND role_name = $3",
                             3, role, NULL);
    default:
        return CM_OK;
    }
}

cm_err projection_store_apply(PGconn *pg, const char *event_id, const struct projection_change *c,
                              int *out_applied)
{
    const char *inbox[2] = {PROJECTION_CONSUMER, event_id};
    const char *at[1] = {c->occurred_at};
    long rows = 0;
    cm_err err = cm_pg_exec(pg, "BEGIN");

    if (err == CM_OK)
        err = cm_pg_command(
            pg, "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2,
            inbox, &rows);
    if (err == CM_OK && rows == 0) { /* handled before */
        *out_applied = 0;
        return cm_pg_end(pg, CM_OK);
    }
    if (err == CM_OK)
        err = apply_change(pg, c);
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "UPDATE projection_state SET latest_event_at = "
                            "greatest(latest_event_at, $1::timestamptz) WHERE id = 1",
                            1, at, NULL);
    err = cm_pg_end(pg, err);
    if (err == CM_OK)
        *out_applied = 1;
    return err;
}

cm_err projection_store_lock(PGconn *pg)
{
    PGresult *res = NULL;
    cm_err err =
        cm_pg_query(pg, "SELECT pg_try_advisory_lock(" REPOPULATE_LOCK ") AS got", 0, NULL, &res);

    if (err == CM_OK && !cm_pg_bool(res, 0, "got"))
        err = CM_ECONFLICT;
    PQclear(res);
    return err;
}

void projection_store_unlock(PGconn *pg)
{
    if (PQstatus(pg) == CONNECTION_OK) /* a broken session let it go already */
        cm_pg_command(pg, "SELECT pg_advisory_unlock(" REPOPULATE_LOCK ")", 0, NULL, NULL);
}

cm_err projection_store_now(PGconn *pg, char *out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, "SELECT " TS("now()") " AS now", 0, NULL, &res);

    if (err == CM_OK)
        cm_pg_copy(res, 0, "now", out, PROJECTION_TIME_LEN);
    PQclear(res);
    return err;
}

/* The ids of the rows of res (column id) as a uuid[] literal "{a,b}";
 * caller frees. The ids come from the database as uuid text. */
static char *id_array(const PGresult *res)
{
    int n = PQntuples(res), c = PQfnumber(res, "id");
    char *buf = cm_xmalloc((size_t)n * 37 + 3);
    size_t off = 0;

    buf[off++] = '{';
    for (int i = 0; i < n; i++)
        off += (size_t)sprintf(buf + off, "%s%s", i ? "," : "", PQgetvalue(res, i, c));
    buf[off++] = '}';
    buf[off] = '\0';
    return buf;
}

cm_err projection_store_page(PGconn *pg, const json_t *page, const char *started,
                             unsigned *out_written, unsigned *out_skipped)
{
    char *json = json_dumps(page, JSON_COMPACT), *ids = NULL;
    const char *upsert[2] = {json, started};
    const char *both[2] = {NULL, json};
    PGresult *res = NULL;
    unsigned written = 0;
    cm_err err = json ? cm_pg_exec(pg, "BEGIN") : CM_ENOMEM;

    if (err == CM_OK)
        err = cm_pg_query(
            pg,
            "INSERT INTO users AS u (id, username, email, first_name, last_name, enabled, "
            "platform_admin, last_populated_at, updated_at) "
            "SELECT x.id, x.username, x.email, x.first_name, x.last_name, x.enabled, "
            "x.platform_admin, now(), now() FROM json_to_recordset($1::json) AS x(id uuid, "
            "username text, email text, first_name text, last_name text, enabled boolean, "
            "platform_admin boolean) "
            "ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, "
            "email = EXCLUDED.email, first_name = EXCLUDED.first_name, "
            "last_name = EXCLUDED.last_name, enabled = EXCLUDED.enabled, "
            "platform_admin = EXCLUDED.platform_admin, last_populated_at = now(), "
            "updated_at = now() "
            "WHERE u.latest_event_at IS NULL OR u.latest_event_at < $2::timestamptz "
            "RETURNING u.id::text AS id",
            2, upsert, &res);
    if (err == CM_OK) {
        written = (unsigned)PQntuples(res);
        ids = id_array(res);
        both[0] = ids;
    }
    PQclear(res);
    if (err == CM_OK)
        err = cm_pg_command(pg, "DELETE FROM memberships WHERE user_id = ANY($1::uuid[])", 1, both,
                            NULL);
    if (err == CM_OK)
        err = cm_pg_command(pg, "DELETE FROM user_roles WHERE user_id = ANY($1::uuid[])", 1, both,
                            NULL);
    if (err == CM_OK)
        err = cm_pg_command(
            pg,
            "INSERT INTO memberships (user_id, organization_id) "
            "SELECT (e->>'id')::uuid, (m->>'o')::uuid FROM json_array_elements($2::json) e "
            "CROSS JOIN LATERAL json_array_elements(e->'m') m "
            "WHERE (e->>'id')::uuid = ANY($1::uuid[]) ON CONFLICT DO NOTHING",
            2, both, NULL);
    if (err == CM_OK)
        err = cm_pg_command(
            pg,
            "INSERT INTO user_roles (user_id, organization_id, role_name) "
            "SELECT (e->>'id')::uuid, (m->>'o')::uuid, r FROM json_array_elements($2::json) e "
            "CROSS JOIN LATERAL json_array_elements(e->'m') m "
            "CROSS JOIN LATERAL json_array_elements_text(m->'r') r "
            "WHERE (e->>'id')::uuid = ANY($1::uuid[]) ON CONFLICT DO NOTHING",
            2, both, NULL);
    if (json)
        err = cm_pg_end(pg, err);
    if (err == CM_OK) {
        *out_written = written;
        *out_skipped = (unsigned)json_array_size(page) - written;
    }
    free(ids);
    free(json);
    return err;
}

cm_err projection_store_finish(PGconn *pg, const char *started, unsigned *out_removed, char *out)
{
    const char *values[1] = {started};
    PGresult *res = NULL;
    unsigned removed = 0;
    cm_err err = cm_pg_exec(pg, "BEGIN");

    if (err == CM_OK)
        err = cm_pg_query(
            pg,
            "WITH gone AS (DELETE FROM users WHERE "
            "(last_populated_at IS NULL OR last_populated_at < $1::timestamptz) AND "
            "(latest_event_at IS NULL OR latest_event_at < $1::timestamptz) RETURNING id), "
            "m AS (DELETE FROM memberships WHERE user_id IN (SELECT id FROM gone)), "
            "r AS (DELETE FROM user_roles WHERE user_id IN (SELECT id FROM gone)) "
            "SELECT count(*) AS n FROM gone",
            1, values, &res);
    if (err == CM_OK)
        removed = (unsigned)atol(cm_pg_col(res, 0, "n"));
    PQclear(res);
    res = NULL;
    if (err == CM_OK)
        err = cm_pg_query(pg,
                          "UPDATE projection_state SET last_populated_at = now() WHERE id = 1 "
                          "RETURNING " TS("last_populated_at") " AS at",
                          0, NULL, &res);
    if (err == CM_OK)
        cm_pg_copy(res, 0, "at", out, PROJECTION_TIME_LEN);
    PQclear(res);
    err = cm_pg_end(pg, err);
    if (err == CM_OK)
        *out_removed = removed;
    return err;
}

cm_err projection_store_populated(PGconn *pg, int *out)
{
    PGresult *res = NULL;
    cm_err err =
        cm_pg_query(pg,
                    "SELECT coalesce(bool_or(last_populated_at IS NOT NULL), false) AS populated "
                    "FROM projection_state",
                    0, NULL, &res);

    if (err == CM_OK)
        *out = cm_pg_bool(res, 0, "populated");
    PQclear(res);
    return err;
}

cm_err projection_store_user_status(PGconn *pg, const char *user_id, const char *org,
                                    struct projection_user_status *out)
{
    const char *values[2] = {user_id, cm_pg_opt(org)};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(
        pg,
        "SELECT " TS("u.last_populated_at") " AS last_populated_at, " TS(
            "u.latest_event_at") " AS latest_event_at, "
                                 "(SELECT coalesce(bool_or(p.last_populated_at IS NOT NULL), "
                                 "false) "
                                 " FROM projection_state p) AS populated, "
                                 "($2::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM memberships m "
                                 " WHERE m.user_id = u.id AND m.organization_id = $2::uuid)) AS "
                                 "in_org "
                                 "FROM users u WHERE u.id = $1::uuid",
        2, values, &res);

    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        cm_pg_copy(res, 0, "last_populated_at", out->last_populated_at, PROJECTION_TIME_LEN);
        cm_pg_copy(res, 0, "latest_event_at", out->latest_event_at, PROJECTION_TIME_LEN);
        out->populated = cm_pg_bool(res, 0, "populated");
        out->in_org = cm_pg_bool(res, 0, "in_org");
    }
    PQclear(res);
    return err;
}
