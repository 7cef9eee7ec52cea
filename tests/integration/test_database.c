/* test_database.c: the storage layout of DESIGN.md §7 as the running
 * services left it: one schema per service, owned by the service's role;
 * migrations recorded; API keys stored only as hashes; no role reaching into
 * another service's schema. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

TestSuite(database, .timeout = 30);

static const char *const services[] = {"identity", "authz", "messaging", "onboarding", "privacy"};
#define NSERVICES 5

ParameterizedTestParameters(database, each_service_owns_its_schema)
{
    IT_INDEX_PARAMS(services);
}

ParameterizedTest(size_t *i, database, each_service_owns_its_schema)
{
    const char *const *svc = &services[*i];
    const char *params[1] = {*svc};
    PGconn *pg;
    char *owner;

    IT_REQUIRE_STACK();
    pg = it_pg();
    owner = it_pg_value(pg,
                        "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace "
                        "WHERE nspname = $1",
                        1, params);
    cr_assert(owner != NULL, "no schema %s", *svc);
    cr_assert(eq(str, owner, (char *)*svc), "schema %s owned by %s", *svc, owner);
    free(owner);
    PQfinish(pg);
}

ParameterizedTestParameters(database, each_role_is_an_unprivileged_login)
{
    IT_INDEX_PARAMS(services);
}

ParameterizedTest(size_t *i, database, each_role_is_an_unprivileged_login)
{
    const char *const *svc = &services[*i];
    const char *params[1] = {*svc};
    PGconn *pg;
    char *flags;

    IT_REQUIRE_STACK();
    pg = it_pg();
    flags = it_pg_value(pg,
                        "SELECT rolcanlogin::text || rolsuper::text || rolcreatedb::text || "
                        "rolcreaterole::text || rolbypassrls::text FROM pg_catalog.pg_roles "
                        "WHERE rolname = $1",
                        1, params);
    cr_assert(flags != NULL, "no role %s", *svc);
    cr_assert(eq(str, flags, "truefalsefalsefalsefalse"),
              "role %s: login/super/createdb/"
              "createrole/bypassrls = %s",
              *svc, flags);
    free(flags);
    PQfinish(pg);
}

/* Every (role, other service's schema) pair: no USAGE, no CREATE. */
ParameterizedTestParameters(database, no_role_reaches_another_schema)
{
    static size_t idx[NSERVICES * NSERVICES];

    for (size_t k = 0; k < NSERVICES * NSERVICES; k++)
        idx[k] = k;
    return cr_make_param_array(size_t, idx, NSERVICES * NSERVICES);
}

/* Parameter k is the pair (role k / NSERVICES, schema k % NSERVICES); the
 * diagonal (a role and its own schema) is checked the other way round. */
ParameterizedTest(size_t *k, database, no_role_reaches_another_schema)
{
    const char *role = services[*k / NSERVICES], *schema = services[*k % NSERVICES];
    const char *params[2] = {role, schema};
    int own = *k / NSERVICES == *k % NSERVICES;
    PGconn *pg;
    char *usage, *create;

    IT_REQUIRE_STACK();
    pg = it_pg();
    usage = it_pg_value(pg, "SELECT has_schema_privilege($1, $2, 'USAGE')::text", 2, params);
    create = it_pg_value(pg, "SELECT has_schema_privilege($1, $2, 'CREATE')::text", 2, params);
    cr_assert(eq(str, usage, own ? "true" : "false"), "role %s: USAGE on schema %s is %s", role,
              schema, usage);
    cr_assert(eq(str, create, own ? "true" : "false"), "role %s: CREATE on schema %s is %s", role,
              schema, create);
    free(usage);
    free(create);
    PQfinish(pg);
}

Test(database, no_role_may_create_in_public)
{
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    for (int i = 0; i < NSERVICES; i++) {
        const char *params[1] = {services[i]};
        char *v =
            it_pg_value(pg, "SELECT has_schema_privilege($1, 'public', 'CREATE')::text", 1, params);
        cr_assert(eq(str, v, "false"), "role %s may create in public", services[i]);
        free(v);
    }
    PQfinish(pg);
}

Test(database, identity_records_its_migration)
{
    PGconn *pg;
    char *v;

    IT_REQUIRE_STACK();
    pg = it_pg();
    v = it_pg_value(pg,
                    "SELECT count(*)::text FROM identity.schema_migrations "
                    "WHERE name = '001_api_clients.sql'",
                    0, NULL);
    cr_assert(eq(str, v, "1"));
    free(v);
    v = it_pg_value(pg,
                    "SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c "
                    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'identity' AND c.relname = 'api_clients'",
                    0, NULL);
    cr_assert(v != NULL, "no table identity.api_clients");
    cr_assert(eq(str, v, "identity"), "identity.api_clients owned by %s", v);
    free(v);
    PQfinish(pg);
}

ParameterizedTestParameters(database, each_service_has_a_migrations_table)
{
    IT_INDEX_PARAMS(services);
}

ParameterizedTest(size_t *i, database, each_service_has_a_migrations_table)
{
    const char *const *svc = &services[*i];
    const char *params[1] = {*svc};
    PGconn *pg;
    char *v;

    IT_REQUIRE_STACK();
    pg = it_pg();
    v = it_pg_value(
        pg,
        "SELECT count(*)::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = "
        "'schema_migrations'",
        1, params);
    cr_assert(eq(str, v, "1"), "no %s.schema_migrations", *svc);
    free(v);
    PQfinish(pg);
}

Test(database, stores_the_bootstrap_key_only_as_a_hash)
{
    const char *user = it_env("TEST_API_USER");
    const char *key = it_env("TEST_API_KEY");
    const char *params[2] = {user, key};
    PGconn *pg;
    char *v;

    IT_REQUIRE_STACK();
    pg = it_pg();
    v = it_pg_value(pg,
                    "SELECT length(key_hash)::text FROM identity.api_clients "
                    "WHERE api_user_id = $1 AND revoked_at IS NULL",
                    1, params);
    cr_assert(v != NULL, "no active api_clients row for %s", user);
    cr_assert(eq(str, v, "32"));
    free(v);
    v = it_pg_value(pg,
                    "SELECT (key_hash <> convert_to($2, 'UTF8') AND "
                    "position(convert_to($2, 'UTF8') in key_hash) = 0)::text "
                    "FROM identity.api_clients WHERE api_user_id = $1",
                    2, params);
    cr_assert(eq(str, v, "true"), "the key itself is stored");
    free(v);
    /* and nowhere else in identity's table as text */
    v = it_pg_value(pg,
                    "SELECT count(*)::text FROM identity.api_clients t "
                    "WHERE strpos(t::text, $1) > 0",
                    1, params + 1);
    cr_assert(eq(str, v, "0"), "the key appears in a row of identity.api_clients");
    free(v);
    PQfinish(pg);
}
