/* store_find_users.c: the members of one organization by email, username
 * or id (store_find_users.h). Names travel to Postgres as one JSON
 * parameter each. */
#include "store_find_users.h"

#include <stddef.h>
#include <stdlib.h>

#include "cm_pg_select.h"

#define UUID_RE "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'"

/* One row per member matched, or one row with an empty id when the
 * organization exists but nobody matched; no row: no such organization.
 * Each kind of name is looked up through its own index (lower(email),
 * username, the primary key); text that is no uuid is never cast. */
static const char find_sql[] =
    "WITH o AS (SELECT id, name FROM organizations WHERE "
    "           ($1 <> '' AND id = (CASE WHEN $1 ~* " UUID_RE " THEN $1::uuid END)) "
    "        OR ($1 = '' AND name = $2)), "
    "m AS (SELECT u.id FROM users u WHERE lower(u.email) IN "
    "        (SELECT lower(x) FROM jsonb_array_elements_text($3::jsonb) x) "
    "      UNION SELECT u.id FROM users u WHERE u.username IN "
    "        (SELECT lower(x) FROM jsonb_array_elements_text($4::jsonb) x) "
    "      UNION SELECT u.id FROM users u WHERE u.id IN "
    "        (SELECT x::uuid FROM jsonb_array_elements_text($5::jsonb) x WHERE x ~* " UUID_RE ")) "
    "SELECT o.id AS org_id, o.name AS org_name, u.id, u.username, u.email, u.first_name, "
    "       u.last_name, u.enabled, "
    "       COALESCE((SELECT json_agg(r.name ORDER BY r.name) FROM role_users ru "
    "                 JOIN roles r ON r.id = ru.role_id "
    "                 WHERE ru.user_id = u.id AND r.organization_id = o.id), '[]') AS roles "
    "FROM o LEFT JOIN user_organizations uo "
    "       ON uo.organization_id = o.id AND uo.user_id IN (SELECT id FROM m) "
    "LEFT JOIN users u ON u.id = uo.user_id "
    "ORDER BY u.username NULLS FIRST";

static const struct cm_pg_field found_fields[] = {
    {"org_id", CM_PG_STR, offsetof(struct found_user_rec, org_id)},
    {"org_name", CM_PG_STR, offsetof(struct found_user_rec, org_name)},
    {"id", CM_PG_STR, offsetof(struct found_user_rec, id)},
    {"username", CM_PG_STR, offsetof(struct found_user_rec, username)},
    {"email", CM_PG_STR, offsetof(struct found_user_rec, email)},
    {"first_name", CM_PG_STR, offsetof(struct found_user_rec, first_name)},
    {"last_name", CM_PG_STR, offsetof(struct found_user_rec, last_name)},
    {"enabled", CM_PG_BOOL, offsetof(struct found_user_rec, enabled)},
    {"roles", CM_PG_STR, offsetof(struct found_user_rec, roles)},
};

cm_err store_find_users(PGconn *pg, const char *org_id, const char *org_name,
                        const char *emails_json, const char *usernames_json, const char *ids_json,
                        struct found_user_list *out)
{
    const char *values[5] = {org_id, org_name, emails_json, usernames_json, ids_json};
    struct found_user_list l = {0, NULL, NULL};
    cm_err err = CM_PG_SELECT(pg, find_sql, 5, values, found_fields, &l);

    if (err == CM_OK && l.n == 0) {
        store_found_users_free(&l);
        return CM_ENOTFOUND;
    }
    if (err == CM_OK)
        *out = l;
    return err;
}

void store_found_users_free(struct found_user_list *l)
{
    free(l->items);
    free(l->mem);
    l->items = NULL;
    l->mem = NULL;
    l->n = 0;
}
