/* store_phi_keys.c: the database key and PHI re-sealed under the first key
 * at start (store_phi_keys.h). */
#include "store_phi_keys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"

#define PAGE 200

/* Opens hex (a box under old) and seals it again under ring's first key:
 * the new box as hex into *out_hex (caller frees). CM_EINVAL / CM_ENOTFOUND
 * when it does not open. */
static cm_err reseal_hex(const struct cm_keyring *ring, const char *old, const char *hex,
                         char **out_hex, char new_id[PHI_KEY_ID_MAX])
{
    size_t hexlen = strlen(hex), len = 0, clen = 0;
    uint8_t *box = cm_xmalloc(hexlen / 2 + 1), *sealed;
    char *clear = NULL;
    cm_err err;

    if (sodium_hex2bin(box, hexlen / 2 + 1, hex, hexlen, NULL, &len, NULL) != 0) {
        free(box);
        return CM_EINVAL;
    }
    err = phi_open(ring, old, box, len, &clear, &clen);
    free(box);
    if (err != CM_OK)
        return err;
    sealed = phi_seal(ring, clear, clen, new_id);
    sodium_memzero(clear, clen);
    free(clear);
    *out_hex = cm_xmalloc(2 * (clen + PHI_BOX_OVERHEAD) + 1);
    sodium_bin2hex(*out_hex, 2 * (clen + PHI_BOX_OVERHEAD) + 1, sealed, clen + PHI_BOX_OVERHEAD);
    free(sealed);
    return CM_OK;
}

static cm_err patients(PGconn *pg, const struct cm_keyring *ring, struct phi_reseal_counts *n)
{
    char after_org[64] = "00000000-0000-0000-0000-000000000000", after_pid[512] = "";
    cm_err err = CM_OK;

    for (int rows = PAGE; err == CM_OK && rows == PAGE;) {
        const char *v[3] = {ring->keys[0].id, after_org, after_pid};
        PGresult *res = NULL;

        err = cm_pg_query(pg,
                          "SELECT organization_id, pid, phi_key_id, encode(record_box, 'hex') "
                          "AS box FROM clinical_patients WHERE phi_key_id <> $1 AND "
                          "(organization_id, pid) > ($2::uuid, $3) "
                          "ORDER BY organization_id, pid LIMIT 200",
                          3, v, &res);
        if (err != CM_OK)
            break;
        rows = PQntuples(res);
        for (int i = 0; i < rows && err == CM_OK; i++) {
            char *hex = NULL, id[PHI_KEY_ID_MAX];
            const char *u[5];

            cm_pg_copy(res, i, "organization_id", after_org, sizeof after_org);
            cm_pg_copy(res, i, "pid", after_pid, sizeof after_pid);
            if (reseal_hex(ring, cm_pg_col(res, i, "phi_key_id"), cm_pg_col(res, i, "box"), &hex,
                           id) != CM_OK) {
                n->failed++;
                continue;
            }
            u[0] = after_org;
            u[1] = after_pid;
            u[2] = cm_pg_col(res, i, "phi_key_id");
            u[3] = id;
            u[4] = hex;
            err = cm_pg_command(pg,
                                "UPDATE clinical_patients SET phi_key_id = $4, "
                                "record_box = decode($5, 'hex') WHERE organization_id = $1::uuid "
                                "AND pid = $2 AND phi_key_id = $3",
                                5, u, NULL);
            free(hex);
            if (err == CM_OK)
                n->patients++;
        }
        PQclear(res);
    }
    return err;
}

static cm_err threads(PGconn *pg, const struct cm_keyring *ring, struct phi_reseal_counts *n)
{
    char after[64] = "00000000-0000-0000-0000-000000000000";
    cm_err err = CM_OK;

    for (int rows = PAGE; err == CM_OK && rows == PAGE;) {
        const char *v[2] = {ring->keys[0].id, after};
        PGresult *res = NULL;

        err = cm_pg_query(pg,
                          "SELECT id, phi_key_id, encode(patient_name_box, 'hex') AS box "
                          "FROM clinical_threads WHERE patient_name_box IS NOT NULL AND "
                          "phi_key_id <> $1 AND id > $2::uuid ORDER BY id LIMIT 200",
                          2, v, &res);
        if (err != CM_OK)
            break;
        rows = PQntuples(res);
        for (int i = 0; i < rows && err == CM_OK; i++) {
            char *hex = NULL, id[PHI_KEY_ID_MAX];
            const char *u[4];

            cm_pg_copy(res, i, "id", after, sizeof after);
            if (reseal_hex(ring, cm_pg_col(res, i, "phi_key_id"), cm_pg_col(res, i, "box"), &hex,
                           id) != CM_OK) {
                n->failed++;
                continue;
            }
            u[0] = after;
            u[1] = cm_pg_col(res, i, "phi_key_id");
            u[2] = id;
            u[3] = hex;
            err = cm_pg_command(pg,
                                "UPDATE clinical_threads SET phi_key_id = $3, "
                                "patient_name_box = decode($4, 'hex') WHERE id = $1::uuid "
                                "AND phi_key_id = $2",
                                4, u, NULL);
            free(hex);
            if (err == CM_OK)
                n->threads++;
        }
        PQclear(res);
    }
    return err;
}

cm_err phi_reseal(PGconn *pg, const struct cm_keyring *ring, struct phi_reseal_counts *out)
{
    struct phi_reseal_counts n = {0, 0, 0};
    cm_err err = patients(pg, ring, &n);

    if (err == CM_OK)
        err = threads(pg, ring, &n);
    if (err == CM_OK)
        *out = n;
    return err;
}

cm_err store_phi_db_key(PGconn *pg, int make, uint8_t key[32], int *found)
{
    uint8_t fresh[32];
    char hex[2 * sizeof fresh + 3] = "\\x";
    const char *v[2] = {"db", hex};
    PGresult *res = NULL;
    unsigned char *bin;
    size_t len = 0;
    cm_err err = CM_OK;

    if (make) {
        randombytes_buf(fresh, sizeof fresh);
        sodium_bin2hex(hex + 2, sizeof hex - 2, fresh, sizeof fresh);
        sodium_memzero(fresh, sizeof fresh);
        err = cm_pg_command(pg,
                            "INSERT INTO phi_db_key (id, key) VALUES ($1, $2::bytea) "
                            "ON CONFLICT (id) DO NOTHING",
                            2, v, NULL);
        sodium_memzero(hex, sizeof hex);
    }
    if (err == CM_OK)
        err = cm_pg_query(pg, "SELECT key FROM phi_db_key WHERE id = $1", 1, v, &res);
    if (err != CM_OK)
        return err;
    *found = PQntuples(res) == 1;
    if (!*found) {
        PQclear(res);
        return CM_OK;
    }
    bin = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &len);
    PQclear(res);
    if (!bin || len != 32) {
        PQfreemem(bin);
        return CM_EINTERNAL;
    }
    memcpy(key, bin, 32);
    sodium_memzero(bin, len);
    PQfreemem(bin);
    return CM_OK;
}
