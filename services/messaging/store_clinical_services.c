/* store_clinical_services.c: SQL of OU services and service pagers
 * (store_clinical_services.h). */
#include "store_clinical_services.h"

#include <stdlib.h>

#include "cm_outbox.h"
#include "cm_pg.h"
#include "messaging.pb-c.h"

/* Column 0 of every row of res as a JSON array of strings. */
static json_t *column_array(PGresult *res)
{
    json_t *a = json_array();

    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(a, json_string(PQgetvalue(res, i, 0)));
    return a;
}

cm_err store_clinical_services_get(PGconn *pg, const char *org_id, json_t **out)
{
    const char *values[1] = {org_id};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT name FROM clinical_services WHERE org_id = $1::uuid "
                             "ORDER BY position, name",
                             1, values, &res);

    if (err != CM_OK)
        return err;
    *out = column_array(res);
    PQclear(res);
    return CM_OK;
}

/* The statements of a replacement, in order; $1 org, $2 services, $3
 * user_updates. */
static const char *const replace_sql[] = {
    /* the new list, in its order */
    "INSERT INTO clinical_services (org_id, name, position) SELECT $1::uuid, x.name, x.n "
    "FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY x(name, n) "
    "WHERE $3::jsonb IS NOT NULL "
    "ON CONFLICT (org_id, name) DO UPDATE SET position = EXCLUDED.position",
    /* users: old → new ones */
    "INSERT INTO clinical_user_services (user_id, org_id, service, position) "
    "SELECT us.user_id, us.org_id, n.value, us.position FROM clinical_user_services us "
    "JOIN jsonb_each($3::jsonb) m ON m.key = us.service "
    "CROSS JOIN LATERAL jsonb_array_elements_text(m.value) n(value) "
    "WHERE us.org_id = $1::uuid AND $2::jsonb IS NOT NULL ON CONFLICT DO NOTHING",
    "DELETE FROM clinical_user_services us USING jsonb_each($3::jsonb) m "
    "WHERE us.org_id = $1::uuid AND us.service = m.key AND NOT (m.value ? m.key) "
    "AND $2::jsonb IS NOT NULL",
    /* pagers: old → the first new one */
    "UPDATE clinical_service_pagers p SET service = m.value->>0, updated_at = now() "
    "FROM jsonb_each($3::jsonb) m WHERE p.org_id = $1::uuid AND p.service = m.key "
    "AND jsonb_array_length(m.value) > 0 AND $2::jsonb IS NOT NULL",
};

cm_err store_clinical_services_put(PGconn *pg, const char *org_id, const json_t *services,
                                   const json_t *user_updates, json_t *warnings)
{
    Messaging__ClinicalServicesChanged ev = MESSAGING__CLINICAL_SERVICES_CHANGED__INIT;
    char *s = json_dumps(services, JSON_COMPACT);
    char *u = json_dumps(user_updates, JSON_COMPACT);
    const char *values[3] = {org_id, s, u};
    char **names = calloc(json_array_size(services) + 1, sizeof *names);
    PGresult *res = NULL;
    cm_err err = s && u && names ? cm_pg_begin(pg) : CM_ENOMEM;

    for (size_t i = 0; err == CM_OK && i < sizeof replace_sql / sizeof *replace_sql; i++)
        err = cm_pg_command(pg, replace_sql[i], 3, values, NULL);
    /* pagers of services that go */
    if (err == CM_OK)
        err = cm_pg_query(pg,
                          "SELECT service, pager_number FROM clinical_service_pagers "
                          "WHERE org_id = $1::uuid AND NOT ($2::jsonb ? service) "
                          "ORDER BY service, pager_number",
                          2, values, &res);
    if (err == CM_OK) {
        for (int i = 0; i < PQntuples(res); i++) {
            char w[640];
            snprintf(w, sizeof w,
                     "Service [%.255s] is currently in use with pager [%.32s]; the pager is "
                     "unassigned",
                     PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
            json_array_append_new(warnings, json_string(w));
        }
        PQclear(res);
        err = cm_pg_command(pg,
                            "DELETE FROM clinical_services WHERE org_id = $1::uuid "
                            "AND NOT ($2::jsonb ? name)",
                            2, values, NULL);
    }
    if (err == CM_OK) {
        for (size_t i = 0; i < json_array_size(services); i++)
            names[i] = (char *)json_string_value(json_array_get(services, i));
        ev.organization_id = (char *)org_id;
        ev.n_services = json_array_size(services);
        ev.services = names;
        err = cm_outbox_add_now(pg, "evt.messaging.services.", "updated", &ev.base);
    }
    err = cm_pg_end(pg, err);
    free(names);
    free(s);
    free(u);
    return err;
}

cm_err store_clinical_pagers_get(PGconn *pg, const char *org_id, json_t **out)
{
    const char *values[1] = {org_id};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT pager_number, service FROM clinical_service_pagers "
                             "WHERE org_id = $1::uuid ORDER BY service, pager_number",
                             1, values, &res);

    if (err != CM_OK)
        return err;
    *out = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(*out, json_pack("{s:s, s:s}", "pager_number",
                                              PQgetvalue(res, i, 0), "service",
                                              PQgetvalue(res, i, 1)));
    PQclear(res);
    return CM_OK;
}

cm_err store_clinical_pager_set(PGconn *pg, const char *org_id, const char *pager,
                                const char *service)
{
    Messaging__ServicePagerChanged ev = MESSAGING__SERVICE_PAGER_CHANGED__INIT;
    const char *values[3] = {org_id, pager, service};
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = service[0]
                  ? cm_pg_command(pg,
                                  "INSERT INTO clinical_service_pagers (org_id, pager_number, "
                                  "service) VALUES ($1::uuid, $2, $3) ON CONFLICT (org_id, "
                                  "pager_number) DO UPDATE SET service = EXCLUDED.service, "
                                  "updated_at = now()",
                                  3, values, NULL)
                  : cm_pg_command(pg,
                                  "DELETE FROM clinical_service_pagers WHERE org_id = $1::uuid "
                                  "AND pager_number = $2",
                                  2, values, NULL);
    if (err == CM_OK) {
        ev.organization_id = (char *)org_id;
        ev.pager_number = (char *)pager;
        ev.service = (char *)service;
        err = cm_outbox_add_now(pg, "evt.messaging.pager.", "updated", &ev.base);
    }
    return cm_pg_end(pg, err);
}
