/* store_clinical_people.c: SQL of clinical profiles
 * (store_clinical_people.h). */
#include "store_clinical_people.h"

#include <stdlib.h>

#include "cm_outbox.h"
#include "cm_pg.h"
#include "cm_pg_select.h"
#include "messaging.pb-c.h"

#define F(col, kind, member) {col, kind, offsetof(struct clinical_profile_rec, member)}
static const struct cm_pg_field fields[] = {
    F("user_id", CM_PG_STR, user_id),
    F("org_id", CM_PG_STR, org_id),
    F("specialty", CM_PG_STR, specialty),
    F("title", CM_PG_STR, title),
    F("associated_ou", CM_PG_STR, associated_ou),
    F("admin_permissions", CM_PG_STR, admin_permissions),
    F("legal_agreement", CM_PG_STR, legal_agreement),
    F("pager_number", CM_PG_STR, pager_number),
    F("tags", CM_PG_STR, tags),
    F("location", CM_PG_STR, location),
    F("location_detail", CM_PG_STR, location_detail),
    F("city", CM_PG_STR, city),
    F("state", CM_PG_STR, state),
    F("zip_code", CM_PG_STR, zip_code),
    F("status", CM_PG_STR, status),
    F("status_message", CM_PG_STR, status_message),
    F("services", CM_PG_STR, services),
    F("created_at", CM_PG_STR, created_at),
    F("sso", CM_PG_BOOL, sso),
    F("managed", CM_PG_BOOL, managed),
    F("has_password", CM_PG_BOOL, has_password),
    F("bounced_emails", CM_PG_BOOL, bounced_emails),
};
#undef F

#define SELECT_PROFILE                                                                             \
    "SELECT c.user_id::text AS user_id, c.org_id::text AS org_id, c.specialty, c.title, "          \
    "c.associated_ou, c.admin_permissions, c.legal_agreement, c.pager_number, c.tags::text AS "    \
    "tags, c.location, c.location_detail, c.city, c.state, c.zip_code, c.status, "                 \
    "c.status_message, c.sso, c.managed, c.has_password, c.bounced_emails, "                      \
    "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS created_at, "    \
    "(SELECT coalesce(json_agg(s.service ORDER BY s.position, s.service), '[]') "                  \
    "FROM clinical_user_services s WHERE s.user_id = c.user_id)::text AS services "                \
    "FROM clinical_users c "

void store_clinical_profile_list_free(struct clinical_profile_list *l)
{
    free(l->items);
    free(l->mem);
    l->items = NULL;
    l->mem = NULL;
    l->n = 0;
}

cm_err store_clinical_profiles_get(PGconn *pg, const char *ids_json,
                                   struct clinical_profile_list *out)
{
    const char *values[1] = {ids_json};

    return CM_PG_SELECT(pg,
                        SELECT_PROFILE "WHERE c.user_id IN (SELECT x::uuid FROM "
                                       "jsonb_array_elements_text($1::jsonb) x) ORDER BY c.user_id",
                        1, values, fields, out);
}

cm_err store_clinical_profiles_by_service(PGconn *pg, const char *org_id, const char *service,
                                          struct clinical_profile_list *out)
{
    const char *values[2] = {org_id, service};

    return CM_PG_SELECT(pg,
                        SELECT_PROFILE "WHERE c.org_id = $1::uuid AND EXISTS (SELECT 1 FROM "
                                       "clinical_user_services s WHERE s.user_id = c.user_id AND "
                                       "s.service = $2) ORDER BY c.user_id LIMIT 10000",
                        2, values, fields, out);
}

static const char *flag(int v)
{
    return v < 0 ? NULL : v ? "true" : "false";
}

cm_err store_clinical_profile_put(PGconn *pg, const char *user_id, const char *org_id,
                                  const struct clinical_profile_set *s, int create)
{
    const char *values[19] = {user_id,           org_id,
                              s->specialty,      s->title,
                              s->associated_ou,  s->admin_permissions,
                              s->legal_agreement, s->pager_number,
                              s->tags,           s->location,
                              s->location_detail, s->city,
                              s->state,          s->zip_code,
                              flag(s->sso),      flag(s->managed),
                              flag(s->has_password), s->clear_bounced ? "true" : "false",
                              s->activation_sent ? "true" : "false"};
    long rows = 0;
    cm_err err;

    if (create)
        err = cm_pg_command(
            pg,
            "INSERT INTO clinical_users (user_id, org_id, specialty, title, associated_ou, "
            "admin_permissions, legal_agreement, pager_number, tags, location, location_detail, "
            "city, state, zip_code, sso, managed, has_password, activation_sent_at) VALUES "
            "($1::uuid, $2::uuid, coalesce($3, ''), coalesce($4, ''), coalesce($5, ''), "
            "coalesce($6, ''), coalesce($7, ''), coalesce($8, ''), coalesce($9::jsonb, '[]'), "
            "coalesce($10, ''), coalesce($11, ''), coalesce($12, ''), coalesce($13, ''), "
            "coalesce($14, ''), coalesce($15::bool, false), coalesce($16::bool, true), "
            "coalesce($17::bool, true), CASE WHEN $18::bool OR $19::bool THEN now() END)",
            19, values, &rows);
    else
        err = cm_pg_command(
            pg,
            "UPDATE clinical_users SET specialty = coalesce($3, specialty), "
            "title = coalesce($4, title), associated_ou = coalesce($5, associated_ou), "
            "admin_permissions = coalesce($6, admin_permissions), "
            "legal_agreement = coalesce($7, legal_agreement), "
            "pager_number = coalesce($8, pager_number), tags = coalesce($9::jsonb, tags), "
            "location = coalesce($10, location), "
            "location_detail = coalesce($11, location_detail), city = coalesce($12, city), "
            "state = coalesce($13, state), zip_code = coalesce($14, zip_code), "
            "sso = coalesce($15::bool, sso), managed = coalesce($16::bool, managed), "
            "has_password = coalesce($17::bool, has_password), "
            "bounced_emails = bounced_emails AND NOT $18::bool, "
            "activation_sent_at = CASE WHEN $19::bool THEN now() ELSE activation_sent_at END, "
            "updated_at = now() WHERE user_id = $1::uuid AND org_id = $2::uuid",
            19, values, &rows);
    if (err == CM_OK && rows == 0)
        err = CM_ENOTFOUND;
    return err;
}

cm_err store_clinical_user_services_set(PGconn *pg, const char *user_id, const char *org_id,
                                        const char *services_json)
{
    const char *values[3] = {user_id, org_id, services_json};
    cm_err err = cm_pg_command(pg, "DELETE FROM clinical_user_services WHERE user_id = $1::uuid",
                               1, values, NULL);

    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO clinical_user_services (user_id, org_id, service, "
                            "position) SELECT $1::uuid, $2::uuid, x.name, min(x.n) FROM "
                            "jsonb_array_elements_text($3::jsonb) WITH ORDINALITY x(name, n) "
                            "GROUP BY x.name",
                            3, values, NULL);
    return err;
}

cm_err store_clinical_user_event(PGconn *pg, const char *user_id, const char *org_id,
                                 const char *change, char **fields, size_t nfields)
{
    Messaging__ClinicalUserChanged ev = MESSAGING__CLINICAL_USER_CHANGED__INIT;

    ev.user_id = (char *)user_id;
    ev.organization_id = (char *)org_id;
    ev.change = (char *)change;
    ev.fields = fields;
    ev.n_fields = nfields;
    return cm_outbox_add_now(pg, "evt.messaging.user.", change, &ev.base);
}
