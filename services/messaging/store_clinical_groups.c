/* store_clinical_groups.c: SQL of recipient groups
 * (store_clinical_groups.h). */
#include "store_clinical_groups.h"

#include <stdlib.h>

#include "cm_outbox.h"
#include "cm_pg.h"
#include "cm_pg_select.h"
#include "messaging.pb-c.h"

#define F(col, member) {col, CM_PG_STR, offsetof(struct clinical_group_rec, member)}
static const struct cm_pg_field fields[] = {
    F("id", id),           F("org_id", org_id),         F("name", name),
    F("members", members), F("created_at", created_at), F("updated_at", updated_at),
};
#undef F

#define SELECT_GROUP                                                                               \
    "SELECT g.id::text AS id, g.org_id::text AS org_id, g.name, "                                  \
    "(SELECT coalesce(json_agg(m.user_id ORDER BY m.position), '[]') FROM "                        \
    "clinical_recipient_group_members m WHERE m.group_id = g.id)::text AS members, "               \
    "to_char(g.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS created_at, "    \
    "to_char(g.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS updated_at "     \
    "FROM clinical_recipient_groups g "

void store_clinical_group_list_free(struct clinical_group_list *l)
{
    free(l->items);
    free(l->mem);
    l->items = NULL;
    l->mem = NULL;
    l->n = 0;
}

cm_err store_clinical_groups_list(PGconn *pg, const char *org_id, struct clinical_group_list *out)
{
    const char *values[1] = {org_id};

    return CM_PG_SELECT(pg, SELECT_GROUP "WHERE g.org_id = $1::uuid ORDER BY g.name LIMIT 10000",
                        1, values, fields, out);
}

cm_err store_clinical_group_get(PGconn *pg, const char *id, struct clinical_group_list *out)
{
    const char *values[1] = {id};
    cm_err err = CM_PG_SELECT(pg, SELECT_GROUP "WHERE g.id = $1::uuid", 1, values, fields, out);

    if (err == CM_OK && out->n != 1) {
        store_clinical_group_list_free(out);
        err = CM_ENOTFOUND;
    }
    return err;
}

static cm_err set_members(PGconn *pg, const char *id, const char *members)
{
    const char *values[2] = {id, members};
    cm_err err = cm_pg_command(pg,
                               "DELETE FROM clinical_recipient_group_members WHERE group_id = "
                               "$1::uuid",
                               1, values, NULL);

    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO clinical_recipient_group_members (group_id, user_id, "
                            "position) SELECT $1::uuid, x.id::uuid, min(x.n) FROM "
                            "jsonb_array_elements_text($2::jsonb) WITH ORDINALITY x(id, n) "
                            "GROUP BY x.id",
                            2, values, NULL);
    return err;
}

static cm_err event(PGconn *pg, const char *id, const char *org_id, const char *change)
{
    Messaging__RecipientGroupChanged ev = MESSAGING__RECIPIENT_GROUP_CHANGED__INIT;

    ev.group_id = (char *)id;
    ev.organization_id = (char *)org_id;
    ev.change = (char *)change;
    return cm_outbox_add_now(pg, "evt.messaging.recipient_group.", change, &ev.base);
}

cm_err store_clinical_group_create(PGconn *pg, const char *id, const char *org_id,
                                   const char *name, const char *members)
{
    const char *values[3] = {id, org_id, name};
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO clinical_recipient_groups (id, org_id, name) VALUES "
                            "($1::uuid, $2::uuid, $3)",
                            3, values, NULL);
    if (err == CM_OK)
        err = set_members(pg, id, members);
    if (err == CM_OK)
        err = event(pg, id, org_id, "created");
    return cm_pg_end(pg, err);
}

cm_err store_clinical_group_update(PGconn *pg, const char *id, const char *org_id,
                                   const char *name, const char *members)
{
    const char *values[3] = {id, org_id, name};
    long rows = 0;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "UPDATE clinical_recipient_groups SET name = coalesce($3, name), "
                            "updated_at = now() WHERE id = $1::uuid AND org_id = $2::uuid",
                            3, values, &rows);
    if (err == CM_OK && rows == 0)
        err = CM_ENOTFOUND;
    if (err == CM_OK && members)
        err = set_members(pg, id, members);
    if (err == CM_OK)
        err = event(pg, id, org_id, "updated");
    return cm_pg_end(pg, err);
}

cm_err store_clinical_group_delete(PGconn *pg, const char *id, const char *org_id)
{
    const char *values[2] = {id, org_id};
    long rows = 0;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "DELETE FROM clinical_recipient_groups WHERE id = $1::uuid AND "
                            "org_id = $2::uuid",
                            2, values, &rows);
    if (err == CM_OK && rows == 0)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        err = event(pg, id, org_id, "deleted");
    return cm_pg_end(pg, err);
}
