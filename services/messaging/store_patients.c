/* store_patients.c: patients and subscriptions in Postgres
 * (store_patients.h). */
#include "store_patients.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_outbox.h"
#include "cm_pg.h"
#include "messaging.pb-c.h"

static cm_err event(PGconn *pg, const char *org, const char *pid, const char *change,
                    const char *sid)
{
    Messaging__PatientChanged ev = MESSAGING__PATIENT_CHANGED__INIT;

    ev.organization_id = (char *)org;
    ev.pid = (char *)pid;
    ev.change = (char *)change;
    ev.sid = (char *)(sid ? sid : "");
    return cm_outbox_add_now(pg, "evt.messaging.patient.", change, &ev.base);
}

cm_err store_patient_put(PGconn *pg, const char *org, const char *pid, const char *key_id,
                         const uint8_t *box, size_t len, int must_exist, int *out_created)
{
    char *hex = cm_xmalloc(2 * len + 1);
    const char *v[4] = {org, pid, key_id, hex};
    PGresult *res = NULL;
    int created = 0;
    cm_err err;

    sodium_bin2hex(hex, 2 * len + 1, box, len);
    err = cm_pg_begin(pg);
    if (err == CM_OK && must_exist)
        err = cm_pg_one_row(cm_pg_query(pg,
                                        "UPDATE clinical_patients SET phi_key_id = $3, "
                                        "record_box = decode($4, 'hex'), updated_at = now() "
                                        "WHERE organization_id = $1::uuid AND pid = $2 "
                                        "RETURNING false AS created",
                                        4, v, &res),
                            &res);
    else if (err == CM_OK)
        err = cm_pg_one_row(
            cm_pg_query(pg,
                        "INSERT INTO clinical_patients (organization_id, pid, phi_key_id, "
                        "record_box) VALUES ($1::uuid, $2, $3, decode($4, 'hex')) "
                        "ON CONFLICT (organization_id, pid) DO UPDATE SET phi_key_id = $3, "
                        "record_box = decode($4, 'hex'), updated_at = now() "
                        "RETURNING (xmax = 0) AS created",
                        4, v, &res),
            &res);
    if (err == CM_OK) {
        created = cm_pg_bool(res, 0, "created");
        PQclear(res);
        err = event(pg, org, pid, created ? "created" : "updated", NULL);
    }
    err = cm_pg_end(pg, err);
    sodium_memzero(hex, 2 * len + 1);
    free(hex);
    if (err == CM_OK && out_created)
        *out_created = created;
    return err;
}

cm_err store_subscription_put(PGconn *pg, const char *org, const char *pid, const char *sid,
                              const char *tags_json, const char *consents_json, int enabled)
{
    const char *v[6] = {org, pid, sid, tags_json, consents_json, enabled ? "true" : "false"};
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO clinical_patient_subscriptions (organization_id, pid, "
                            "sid, tags, consents, enabled) VALUES ($1::uuid, $2, $3, $4::jsonb, "
                            "$5::jsonb, $6::boolean) ON CONFLICT (organization_id, pid, sid) DO "
                            "UPDATE SET tags = $4::jsonb, consents = $5::jsonb, "
                            "enabled = $6::boolean, updated_at = now()",
                            6, v, NULL);
    if (err == CM_OK)
        err = event(pg, org, pid, "subscribed", sid);
    return cm_pg_end(pg, err);
}
