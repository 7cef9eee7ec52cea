/* store_features.c: SQL of features, organization_features and
 * user_features (store_features.h). */
#include "store_features.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg_select.h"

#include "store.h"

#define FEATURE_COLUMNS                                                                            \
    "f.id, f.description, f.stage, f.global_enabled, f.assignable, " STORE_TS(                     \
        "f.created_time") " AS created_time, " STORE_TS("f.last_modified_time") " AS "             \
                                                                                "last_modified_"   \
                                                                                "time"

#define F(col, kind, field)                                                                        \
    {                                                                                              \
        col, kind, offsetof(struct feature_rec, field)                                             \
    }
static const struct cm_pg_field feature_fields[] = {
    F("id", CM_PG_STR, id),
    F("description", CM_PG_STR, description),
    F("stage", CM_PG_STR, stage),
    F("created_time", CM_PG_STR, created_time),
    F("last_modified_time", CM_PG_STR, last_modified_time),
    F("org_state", CM_PG_STR, org_state),
    F("user_state", CM_PG_STR, user_state),
    F("global_enabled", CM_PG_BOOL, global_enabled),
    F("assignable", CM_PG_BOOL, assignable),
    F("org_force", CM_PG_BOOL, org_force),
    F("user_force", CM_PG_BOOL, user_force),
};
#undef F

#define F(col, kind, field)                                                                        \
    {                                                                                              \
        col, kind, offsetof(struct layer_rec, field)                                               \
    }
static const struct cm_pg_field layer_fields[] = {
    F("id", CM_PG_STR, id),
    F("feature_id", CM_PG_STR, feature_id),
    F("organization_id", CM_PG_STR, organization_id),
    F("organization_name", CM_PG_STR, organization_name),
    F("user_id", CM_PG_STR, user_id),
    F("user_email", CM_PG_STR, user_email),
    F("state", CM_PG_STR, state),
    F("feature_assignable", CM_PG_BOOL, feature_assignable),
    F("force", CM_PG_BOOL, force),
};
#undef F

void store_feature_list_free(struct feature_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

void store_layer_list_free(struct layer_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

/* Ends a one-record read: CM_ENOTFOUND (list emptied) when nothing came. */
#define ONE(err, l, freefn)                                                                        \
    do {                                                                                           \
        if ((err) == CM_OK && (l)->n == 0) {                                                       \
            freefn(l);                                                                             \
            (err) = CM_ENOTFOUND;                                                                  \
        }                                                                                          \
    } while (0)

cm_err store_features_list(PGconn *pg, const struct feature_query *q, struct feature_list *out)
{
    char lim[24], off[24];
    const char *v[5];

    snprintf(lim, sizeof lim, "%ld", q->limit);
    snprintf(off, sizeof off, "%ld", q->offset);
    v[0] = cm_pg_opt_bool(q->assignable);
    v[1] = cm_pg_opt(q->user);
    v[2] = cm_pg_opt(q->org);
    v[3] = q->limit > 0 ? lim : NULL;
    v[4] = off;
    /* the user layer set for org wins over the one set for every
     * organization */
    return CM_PG_SELECT(pg,
                        "SELECT " FEATURE_COLUMNS ", o.state AS org_state, o.force AS org_force, "
                        "u.state AS user_state, u.force AS user_force FROM features f "
                        "LEFT JOIN organization_features o ON o.feature_id = f.id "
                        "AND o.organization_id = $3::uuid "
                        "LEFT JOIN LATERAL (SELECT uf.state, uf.force FROM user_features uf "
                        "WHERE uf.feature_id = f.id AND uf.user_id = $2::uuid "
                        "AND (uf.organization_id = $3::uuid OR uf.organization_id IS NULL) "
                        "ORDER BY uf.organization_id NULLS LAST LIMIT 1) u ON true "
                        "WHERE ($1::bool IS NULL OR f.assignable = $1::bool) "
                        "ORDER BY f.id LIMIT $4::bigint OFFSET $5::bigint",
                        5, v, feature_fields, out);
}

cm_err store_feature_get(PGconn *pg, const char *id, struct feature_list *out)
{
    const char *v[1] = {id};
    cm_err err = CM_PG_SELECT(pg, "SELECT " FEATURE_COLUMNS " FROM features f WHERE f.id = $1", 1,
                              v, feature_fields, out);

    ONE(err, out, store_feature_list_free);
    return err;
}

cm_err store_feature_create(PGconn *pg, const struct feature_fields *f, struct feature_list *out)
{
    const char *v[5] = {f->id, f->description, f->stage, cm_pg_opt_bool(f->global_enabled),
                        cm_pg_opt_bool(f->assignable)};

    return CM_PG_SELECT(pg,
                        "WITH f AS (INSERT INTO features (id, description, stage, global_enabled, "
                        "assignable) VALUES ($1, coalesce($2, ''), coalesce($3, 'alpha'), "
                        "coalesce($4::bool, false), coalesce($5::bool, true)) RETURNING *) "
                        "SELECT " FEATURE_COLUMNS " FROM f",
                        5, v, feature_fields, out);
}

cm_err store_feature_update(PGconn *pg, const char *id, const struct feature_fields *f,
                            struct feature_list *out)
{
    const char *v[5] = {id, f->description, f->stage, cm_pg_opt_bool(f->global_enabled),
                        cm_pg_opt_bool(f->assignable)};
    cm_err err = CM_PG_SELECT(pg,
                              "WITH f AS (UPDATE features SET "
                              "description = coalesce($2, description), "
                              "stage = coalesce($3, stage), "
                              "global_enabled = coalesce($4::bool, global_enabled), "
                              "assignable = coalesce($5::bool, assignable), "
                              "last_modified_time = now() WHERE id = $1 RETURNING *) "
                              "SELECT " FEATURE_COLUMNS " FROM f",
                              5, v, feature_fields, out);

    ONE(err, out, store_feature_list_free);
    return err;
}

cm_err store_feature_user_set(PGconn *pg, const char *feature, const char *user, const char *state,
                              int force)
{
    const char *v[4] = {feature, user, state, force ? "true" : "false"};

    return cm_pg_command(
        pg,
        "INSERT INTO user_features (feature_id, user_id, organization_id, state, "
        "force) VALUES ($1, $2, NULL, $3, $4) "
        "ON CONFLICT (feature_id, user_id, organization_id) DO UPDATE SET "
        "state = EXCLUDED.state, force = EXCLUDED.force, last_modified_time = now()",
        4, v, NULL);
}

cm_err store_feature_user_remove(PGconn *pg, const char *feature, const char *user)
{
    const char *v[2] = {feature, user};

    return cm_pg_command(pg, "DELETE FROM user_features WHERE feature_id = $1 AND user_id = $2", 2,
                         v, NULL);
}

/* --- organization layer --- */

#define ORG_LAYER_SELECT                                                                           \
    "SELECT l.id::text AS id, l.feature_id, l.organization_id::text AS organization_id, "          \
    "o.name AS organization_name, l.state, l.force, f.assignable AS feature_assignable "           \
    "FROM organization_features l JOIN organizations o ON o.id = l.organization_id "               \
    "JOIN features f ON f.id = l.feature_id "

cm_err store_org_layers_list(PGconn *pg, const struct org_scope *scope, const char *org,
                             const char *feature, long limit, long offset, struct layer_list *out)
{
    char lim[24], off[24];
    const char *v[7];

    store_scope_params(scope, v);
    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    v[3] = cm_pg_opt(org);
    v[4] = cm_pg_opt(feature);
    v[5] = lim;
    v[6] = off;
    return CM_PG_SELECT(pg,
                        ORG_LAYER_SELECT "WHERE " STORE_ORG_VISIBLE(
                            "l.organization_id", "$1", "$2",
                            "$3") " AND ($4::uuid IS NULL OR l.organization_id = $4::uuid)"
                                  " AND ($5::text IS NULL OR l.feature_id = $5)"
                                  " ORDER BY o.name, o.id, l.feature_id LIMIT $6 OFFSET $7",
                        7, v, layer_fields, out);
}

cm_err store_org_layer_get(PGconn *pg, const char *id, const struct org_scope *scope,
                           struct layer_list *out)
{
    const char *v[4];
    cm_err err;

    store_scope_params(scope, v);
    v[3] = id;
    err = CM_PG_SELECT(pg,
                       ORG_LAYER_SELECT "WHERE l.id = $4::uuid AND " STORE_ORG_VISIBLE(
                           "l.organization_id", "$1", "$2", "$3"),
                       4, v, layer_fields, out);
    ONE(err, out, store_layer_list_free);
    return err;
}

cm_err store_org_layer_create(PGconn *pg, const char *feature, const char *org, const char *state,
                              int force, struct layer_list *out)
{
    const char *v[4] = {feature, org, state, force ? "true" : "false"};

    return CM_PG_SELECT(
        pg,
        "WITH l AS (INSERT INTO organization_features (feature_id, organization_id, "
        "state, force) VALUES ($1, $2, $3, $4) RETURNING *) "
        "SELECT l.id::text AS id, l.feature_id, l.organization_id::text AS "
        "organization_id, o.name AS organization_name, l.state, l.force, "
        "f.assignable AS feature_assignable FROM l "
        "JOIN organizations o ON o.id = l.organization_id "
        "JOIN features f ON f.id = l.feature_id",
        4, v, layer_fields, out);
}

cm_err store_layer_update(PGconn *pg, int user, const char *id, const char *state, int force)
{
    const char *v[3] = {id, state, cm_pg_opt_bool(force)};
    long rows = 0;
    cm_err err =
        cm_pg_command(pg,
                      user ? "UPDATE user_features SET state = coalesce($2, state), "
                             "force = coalesce($3::bool, force), last_modified_time = now() "
                             "WHERE id = $1"
                           : "UPDATE organization_features SET state = coalesce($2, state), "
                             "force = coalesce($3::bool, force), last_modified_time = now() "
                             "WHERE id = $1",
                      3, v, &rows);

    return err == CM_OK && rows == 0 ? CM_ENOTFOUND : err;
}

/* --- user layer --- */

#define USER_LAYER_SELECT                                                                          \
    "SELECT l.id::text AS id, l.feature_id, l.organization_id::text AS organization_id, "          \
    "o.name AS organization_name, l.user_id::text AS user_id, u.email AS user_email, l.state, "    \
    "l.force, f.assignable AS feature_assignable FROM user_features l "                            \
    "JOIN users u ON u.id = l.user_id JOIN features f ON f.id = l.feature_id "                     \
    "LEFT JOIN organizations o ON o.id = l.organization_id "

/* Visibility of a user layer l: $1 all, $2 self, $3 admin_org. */
#define USER_LAYER_VISIBLE                                                                         \
    "($1::bool OR l.user_id = $2::uuid OR ($3::uuid IS NOT NULL "                                  \
    "AND (l.organization_id = $3::uuid OR (l.organization_id IS NULL AND EXISTS (SELECT 1 FROM "   \
    "user_organizations m WHERE m.user_id = l.user_id AND m.organization_id = $3::uuid)))))"

static void visibility_params(const struct user_layer_query *q, const char *v[3])
{
    v[0] = q->all ? "true" : "false";
    v[1] = cm_pg_opt(q->self);
    v[2] = cm_pg_opt(q->admin_org);
}

cm_err store_user_layers_list(PGconn *pg, const struct user_layer_query *q, struct layer_list *out)
{
    char lim[24], off[24];
    const char *v[9];

    visibility_params(q, v);
    snprintf(lim, sizeof lim, "%ld", q->limit);
    snprintf(off, sizeof off, "%ld", q->offset);
    v[3] = cm_pg_opt(q->user);
    v[4] = cm_pg_opt(q->org);
    v[5] = cm_pg_opt(q->email);
    v[6] = cm_pg_opt(q->feature);
    v[7] = lim;
    v[8] = off;
    return CM_PG_SELECT(
        pg,
        USER_LAYER_SELECT
        "WHERE " USER_LAYER_VISIBLE " AND ($4::uuid IS NULL OR l.user_id = $4::uuid)"
        " AND ($5::uuid IS NULL OR l.organization_id = $5::uuid)"
        " AND ($6::text IS NULL OR lower(u.email) = lower($6))"
        " AND ($7::text IS NULL OR l.feature_id = $7)"
        " ORDER BY lower(u.email), u.id, l.feature_id, l.organization_id NULLS FIRST"
        " LIMIT $8 OFFSET $9",
        9, v, layer_fields, out);
}

cm_err store_user_layer_get(PGconn *pg, const char *id, const struct user_layer_query *q,
                            struct layer_list *out)
{
    const char *v[4];
    cm_err err;

    visibility_params(q, v);
    v[3] = id;
    err = CM_PG_SELECT(pg, USER_LAYER_SELECT "WHERE l.id = $4::uuid AND " USER_LAYER_VISIBLE, 4, v,
                       layer_fields, out);
    ONE(err, out, store_layer_list_free);
    return err;
}

cm_err store_user_layer_create(PGconn *pg, const char *feature, const char *user, const char *org,
                               const char *state, int force, struct layer_list *out)
{
    const char *v[5] = {feature, user, cm_pg_opt(org), state, force ? "true" : "false"};

    return CM_PG_SELECT(
        pg,
        "WITH l AS (INSERT INTO user_features (feature_id, user_id, organization_id, "
        "state, force) VALUES ($1, $2, $3, $4, $5) RETURNING *) "
        "SELECT l.id::text AS id, l.feature_id, l.organization_id::text AS "
        "organization_id, o.name AS organization_name, l.user_id::text AS user_id, "
        "u.email AS user_email, l.state, l.force, f.assignable AS feature_assignable "
        "FROM l JOIN users u ON u.id = l.user_id JOIN features f ON f.id = l.feature_id "
        "LEFT JOIN organizations o ON o.id = l.organization_id",
        5, v, layer_fields, out);
}

cm_err store_feature_subject(PGconn *pg, const char *user, const char *org, char *org_out)
{
    const char *v[2] = {user, cm_pg_opt(org)};
    PGresult *res;
    cm_err err = cm_pg_one_row(
        cm_pg_query(
            pg,
            "SELECT coalesce($2::uuid, u.default_organization_id)::text AS org FROM users u "
            "WHERE u.id = $1::uuid AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM "
            "user_organizations m WHERE m.user_id = u.id AND m.organization_id = $2::uuid))",
            2, v, &res),
        &res);

    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "org", org_out, 40);
    PQclear(res);
    return CM_OK;
}
