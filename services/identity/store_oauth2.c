/* store_oauth2.c: SQL of OAuth2 / OpenID Connect sign-in (store_oauth2.h). */
#include "store_oauth2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "store.h"

#define CLIENT_COLUMNS                                                                             \
    "id::text AS id, organization_id::text AS organization_id, name, client_id, grant_type, "     \
    STORE_TS("created_at") " AS created, " STORE_TS("last_modified_time") " AS modified, "        \
    "to_json(redirect_uris)::text AS redirect_uris, to_json(scopes)::text AS scopes, "            \
    "coalesce(issuer, '') AS issuer, provider_client_id, provider_client_secret, account_policy"

static void client_copy(const PGresult *res, int row, struct oauth2_client_rec *r)
{
#define C(name) cm_pg_copy(res, row, #name, r->name, sizeof r->name)
    C(id);
    C(organization_id);
    C(name);
    C(client_id);
    C(grant_type);
    C(created);
    C(modified);
    C(redirect_uris);
    C(scopes);
    C(issuer);
    C(provider_client_id);
    C(provider_client_secret);
    C(account_policy);
#undef C
}

/* The one row of a statement returning CLIENT_COLUMNS to *out. */
static cm_err client_one(cm_err err, PGresult *res, struct oauth2_client_rec **out)
{
    err = cm_pg_one_row(err, &res);
    if (err != CM_OK)
        return err;
    *out = cm_xcalloc(1, sizeof **out);
    client_copy(res, 0, *out);
    PQclear(res);
    return CM_OK;
}

cm_err store_oauth2_client_create(PGconn *pg, const struct oauth2_client_in *in,
                                  const char *client_id, const char *secret_hash,
                                  struct oauth2_client_rec **out)
{
    const char *v[10] = {in->organization_id, in->name, client_id, secret_hash,
                         in->redirect_uris, cm_pg_opt(in->scopes), cm_pg_opt(in->issuer),
                         in->provider_client_id ? in->provider_client_id : "",
                         in->provider_client_secret ? in->provider_client_secret : "",
                         in->account_policy ? in->account_policy : "link"};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(
        pg,
        "INSERT INTO oauth2_clients (organization_id, name, client_id, secret_hash, "
        "redirect_uris, scopes, issuer, provider_client_id, provider_client_secret, "
        "account_policy) VALUES ($1, $2, $3, $4, (SELECT array_agg(x) FROM json_array_elements_text($5::json) x), "
        "coalesce((SELECT array_agg(x) FROM json_array_elements_text($6::json) x), '{openid,email,profile}'), $7, $8, $9, $10) RETURNING " CLIENT_COLUMNS,
        10, v, &res);
    return client_one(err, res, out);
}

cm_err store_oauth2_client_get(PGconn *pg, const char *id, struct oauth2_client_rec **out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, "SELECT " CLIENT_COLUMNS " FROM oauth2_clients WHERE id = $1",
                             1, &id, &res);
    return client_one(err, res, out);
}

cm_err store_oauth2_client_by_client_id(PGconn *pg, const char *client_id, const char *secret_hash,
                                        struct oauth2_client_rec **out)
{
    const char *v[2] = {client_id, secret_hash};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg,
                             "SELECT " CLIENT_COLUMNS " FROM oauth2_clients "
                             "WHERE client_id = $1 AND secret_hash = $2",
                             2, v, &res);
    return client_one(err, res, out);
}

cm_err store_oauth2_client_by_issuer(PGconn *pg, const char *issuer,
                                     struct oauth2_client_rec **out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, "SELECT " CLIENT_COLUMNS " FROM oauth2_clients WHERE issuer = $1",
                             1, &issuer, &res);
    return client_one(err, res, out);
}

cm_err store_oauth2_client_list(PGconn *pg, const char *org, const char *name, long limit,
                                long offset, struct oauth2_client_rec **out, int *n)
{
    char lim[24], off[24];
    const char *v[4] = {org, cm_pg_opt(name), lim, off};
    PGresult *res = NULL;
    cm_err err;

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    err = cm_pg_query(pg,
                      "SELECT " CLIENT_COLUMNS " FROM oauth2_clients WHERE organization_id = $1 "
                      "AND ($2::text IS NULL OR name = $2) ORDER BY name, id LIMIT $3 OFFSET $4",
                      4, v, &res);
    if (err != CM_OK)
        return err;
    *n = PQntuples(res);
    *out = cm_xcalloc(*n ? (size_t)*n : 1, sizeof **out);
    for (int i = 0; i < *n; i++)
        client_copy(res, i, &(*out)[i]);
    PQclear(res);
    return CM_OK;
}

cm_err store_oauth2_client_patch(PGconn *pg, const char *id, const struct oauth2_client_in *in,
                                 struct oauth2_client_rec **out)
{
    const char *v[9] = {id,
                        in->name,
                        in->redirect_uris,
                        in->scopes,
                        in->issuer,
                        in->clear_issuer ? "t" : "f",
                        in->provider_client_id,
                        in->provider_client_secret,
                        in->account_policy};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(
        pg,
        "UPDATE oauth2_clients SET name = coalesce($2, name), "
        "redirect_uris = coalesce((SELECT array_agg(x) FROM json_array_elements_text($3::json) x), redirect_uris), "
        "scopes = coalesce((SELECT array_agg(x) FROM json_array_elements_text($4::json) x), scopes), "
        "issuer = CASE WHEN $6::boolean THEN NULL ELSE coalesce($5, issuer) END, "
        "provider_client_id = coalesce($7, provider_client_id), "
        "provider_client_secret = coalesce($8, provider_client_secret), "
        "account_policy = coalesce($9, account_policy), last_modified_time = now() "
        "WHERE id = $1 RETURNING " CLIENT_COLUMNS,
        9, v, &res);
    return client_one(err, res, out);
}

cm_err store_oauth2_client_reset(PGconn *pg, const char *id, const char *secret_hash,
                                 struct oauth2_client_rec **out)
{
    const char *v[2] = {id, secret_hash};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg,
                             "UPDATE oauth2_clients SET secret_hash = $2, "
                             "last_modified_time = now() WHERE id = $1 RETURNING " CLIENT_COLUMNS,
                             2, v, &res);
    return client_one(err, res, out);
}

cm_err store_oidc_flow_start(PGconn *pg, const char *client, const char *nonce,
                             const char *verifier, const char *redirect_uri, const char *launch,
                             int ttl_s, char *state)
{
    char ttl[24];
    const char *v[6] = {client, nonce, verifier, redirect_uri, launch, ttl};
    PGresult *res = NULL;
    cm_err err;

    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    /* Expired launches of nobody go with each new one: the table stays small. */
    err = cm_pg_command(pg, "DELETE FROM oidc_flows WHERE expires_at < now()", 0, NULL, NULL);
    if (err == CM_OK)
        err = cm_pg_one_row(
            cm_pg_query(pg,
                        "INSERT INTO oidc_flows (client, nonce, code_verifier, redirect_uri, "
                        "launch, expires_at) VALUES ($1, $2, $3, $4, $5, "
                        "now() + make_interval(secs => $6::int)) RETURNING state::text AS state",
                        6, v, &res),
            &res);
    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "state", state, 40);
    PQclear(res);
    return CM_OK;
}

cm_err store_oidc_flow_take(PGconn *pg, const char *state, struct oidc_flow_rec *out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "DELETE FROM oidc_flows WHERE state = $1 RETURNING client::text AS client, "
                    "nonce, code_verifier, redirect_uri, launch, expires_at > now() AS live",
                    1, &state, &res),
        &res);
    if (err != CM_OK)
        return err;
    if (!cm_pg_bool(res, 0, "live")) {
        PQclear(res);
        return CM_ENOTFOUND;
    }
    cm_pg_copy(res, 0, "client", out->client, sizeof out->client);
    cm_pg_copy(res, 0, "nonce", out->nonce, sizeof out->nonce);
    cm_pg_copy(res, 0, "code_verifier", out->verifier, sizeof out->verifier);
    cm_pg_copy(res, 0, "redirect_uri", out->redirect_uri, sizeof out->redirect_uri);
    cm_pg_copy(res, 0, "launch", out->launch, sizeof out->launch);
    PQclear(res);
    return CM_OK;
}

cm_err store_oidc_link_user(PGconn *pg, const char *issuer, const char *subject, const char *org,
                            char *user_id)
{
    const char *v[3] = {issuer, subject, org};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT l.user_id::text AS user_id FROM oidc_links l "
                    "JOIN user_organizations m ON m.user_id = l.user_id "
                    "WHERE l.issuer = $1 AND l.subject = $2 AND m.organization_id = $3",
                    3, v, &res),
        &res);
    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "user_id", user_id, 40);
    PQclear(res);
    return CM_OK;
}

cm_err store_oidc_member_by_email(PGconn *pg, const char *org, const char *email, char *user_id)
{
    const char *v[2] = {org, email};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg,
                             "SELECT u.id::text AS id FROM users u JOIN user_organizations m "
                             "ON m.user_id = u.id WHERE m.organization_id = $1 "
                             "AND lower(u.email) = lower($2) AND u.email_verified LIMIT 2",
                             2, v, &res);
    if (err != CM_OK)
        return err;
    if (PQntuples(res) != 1) {
        err = PQntuples(res) == 0 ? CM_ENOTFOUND : CM_ECONFLICT;
        PQclear(res);
        return err;
    }
    cm_pg_copy(res, 0, "id", user_id, 40);
    PQclear(res);
    return CM_OK;
}

cm_err store_oidc_link(PGconn *pg, const char *issuer, const char *subject, const char *user_id)
{
    const char *v[3] = {issuer, subject, user_id};
    return cm_pg_command(pg,
                         "INSERT INTO oidc_links (issuer, subject, user_id) VALUES ($1, $2, $3) "
                         "ON CONFLICT (issuer, subject) DO UPDATE SET user_id = EXCLUDED.user_id",
                         3, v, NULL);
}

cm_err store_oauth2_code_add(PGconn *pg, const char *code_hash, const char *client,
                             const char *user_id, int ttl_s)
{
    char ttl[24];
    const char *v[4] = {code_hash, client, user_id, ttl};

    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    return cm_pg_command(pg,
                         "INSERT INTO oauth2_codes (code_hash, client, user_id, expires_at) "
                         "VALUES ($1, $2, $3, now() + make_interval(secs => $4::int))",
                         4, v, NULL);
}

cm_err store_oauth2_code_take(PGconn *pg, const char *code_hash, const char *client,
                              char *user_id)
{
    const char *v[2] = {code_hash, client};

    return store_take_once(pg,
                           "DELETE FROM oauth2_codes WHERE code_hash = $1 RETURNING "
                           "user_id::text AS user_id, client = $2::uuid AND expires_at > now() AS ok",
                           2, v, "user_id", user_id, 40);
}
