/* store_saml.c: SQL of SAML sign-in (store_saml.h). */
#include "store_saml.h"

#include <stdio.h>
#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "store.h"

#define PROVIDER_COLUMNS                                                                           \
    "id::text AS id, organization_id::text AS organization_id, domain, account_policy, "         \
    "idp_entity_id, idp_sso_url, idp_slo_url, sp_entity_id, idp_cert_pem"

static cm_err provider_one(cm_err err, PGresult *res, struct saml_provider_rec **out)
{
    struct saml_provider_rec *r;

    err = cm_pg_one_row(err, &res);
    if (err != CM_OK)
        return err;
    r = cm_xcalloc(1, sizeof *r);
#define C(name) cm_pg_copy(res, 0, #name, r->name, sizeof r->name)
    C(id);
    C(organization_id);
    C(domain);
    C(account_policy);
    C(idp_entity_id);
    C(idp_sso_url);
    C(idp_slo_url);
    C(sp_entity_id);
    C(idp_cert_pem);
#undef C
    PQclear(res);
    *out = r;
    return CM_OK;
}

cm_err store_saml_provider_by_domain(PGconn *pg, const char *domain,
                                     struct saml_provider_rec **out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, "SELECT " PROVIDER_COLUMNS " FROM saml_providers WHERE domain = $1",
                             1, &domain, &res);
    return provider_one(err, res, out);
}

cm_err store_saml_provider_get(PGconn *pg, const char *id, struct saml_provider_rec **out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, "SELECT " PROVIDER_COLUMNS " FROM saml_providers WHERE id = $1",
                             1, &id, &res);
    return provider_one(err, res, out);
}

cm_err store_saml_request_add(PGconn *pg, const char *id, const char *provider, const char *next,
                              int ttl_s)
{
    char ttl[24];
    const char *v[4] = {id, provider, next, ttl};
    cm_err err;

    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    err = cm_pg_command(pg, "DELETE FROM saml_requests WHERE expires_at < now()", 0, NULL, NULL);
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO saml_requests (id, provider, next, expires_at) VALUES "
                            "($1, $2, $3, now() + make_interval(secs => $4::int))",
                            4, v, NULL);
    return err;
}

cm_err store_saml_request_take(PGconn *pg, const char *id, const char *provider, char *next)
{
    const char *v[2] = {id, provider};

    return store_take_once(pg,
                           "DELETE FROM saml_requests WHERE id = $1 RETURNING next, "
                           "provider = $2::uuid AND expires_at > now() AS ok",
                           2, v, "next", next, 256);
}

cm_err store_saml_seen_add(PGconn *pg, const char *provider, const char *assertion_id,
                           int64_t not_on_or_after)
{
    char until[24];
    const char *v[3] = {provider, assertion_id, until};
    long rows = 0;
    cm_err err;

    snprintf(until, sizeof until, "%lld", (long long)not_on_or_after);
    err = cm_pg_command(pg, "DELETE FROM saml_assertions_seen WHERE expires_at < now() - "
                            "interval '1 hour'", 0, NULL, NULL);
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO saml_assertions_seen (provider, assertion_id, expires_at) "
                            "VALUES ($1, $2, to_timestamp($3::bigint)) ON CONFLICT DO NOTHING",
                            3, v, &rows);
    if (err == CM_OK && rows == 0)
        err = CM_ECONFLICT;
    return err;
}

cm_err store_saml_session_add(PGconn *pg, const char *session_id, const char *provider,
                              const char *user_id, const char *name_id, const char *session_index)
{
    const char *v[5] = {session_id, provider, user_id, name_id, session_index};
    return cm_pg_command(pg,
                         "INSERT INTO saml_sessions (session_id, provider, user_id, name_id, "
                         "session_index) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                         5, v, NULL);
}

cm_err store_saml_sessions_end(PGconn *pg, const char *provider, const char *name_id,
                               char (*users)[40], int max, int *n)
{
    const char *v[2] = {provider, name_id};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg,
                             "WITH d AS (DELETE FROM saml_sessions WHERE provider = $1 AND "
                             "name_id = $2 RETURNING user_id) "
                             "SELECT DISTINCT user_id::text AS user_id FROM d",
                             2, v, &res);
    if (err != CM_OK)
        return err;
    *n = 0;
    for (int i = 0; i < PQntuples(res) && *n < max; i++)
        cm_pg_copy(res, i, "user_id", users[(*n)++], 40);
    PQclear(res);
    return CM_OK;
}
