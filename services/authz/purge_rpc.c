/* purge_rpc.c: authz.rpc.Purge, authz's step of privacy's deletion saga
 * (libcommon/cm_purge.h): the projection forgets the person (user,
 * memberships, roles), their individuals leave every group and go, their
 * leaderships and memberships go, and their id is blanked where they acted
 * on others (created_by, added_by) and from group logs, and from the access
 * index's change log once every copy applied it. A table that holds
 * a person's data gets one line here. */
#include <string.h>

#include "cm_pg.h"
#include "cm_purge.h"
#include "privacy_rpc.h"

static const char *const purge_statements[] = {
    "DELETE FROM group_logs WHERE subject_id = $1::uuid OR subject_id IN "
    "(SELECT id FROM individuals WHERE user_id = $1::uuid)",
    "UPDATE group_logs SET created_by = NULL WHERE created_by = $1::uuid",
    "DELETE FROM individuals WHERE user_id = $1::uuid", /* group_individuals cascade */
    "UPDATE individuals SET created_by = NULL WHERE created_by = $1::uuid",
    "DELETE FROM group_members WHERE user_id = $1::uuid",
    "DELETE FROM group_leaders WHERE user_id = $1::uuid",
    "UPDATE group_members SET added_by = NULL WHERE added_by = $1::uuid",
    "UPDATE group_leaders SET added_by = NULL WHERE added_by = $1::uuid",
    "UPDATE group_individuals SET added_by = NULL WHERE added_by = $1::uuid",
    "UPDATE groups SET created_by = NULL WHERE created_by = $1::uuid",
    "UPDATE tasks SET created_by = NULL WHERE created_by = $1::uuid",
    "DELETE FROM user_roles WHERE user_id = $1::uuid",
    "DELETE FROM memberships WHERE user_id = $1::uuid",
    "DELETE FROM users WHERE id = $1::uuid",
    NULL,
};

/* The access index's change log (index_log) names the person in the rows
 * the deletions above write, and those rows must reach every copy of
 * authz. So: the rows naming them that every live copy has applied go (as
 * access_index_sync.c's prune does, raising index_pruned so that a copy
 * away longer rebuilds), and the step is not done while the person is
 * still projected or a row naming them remains (the next call, after the
 * copies applied the deletions, finishes it). */
static cm_err index_log_hook(struct cm_worker *w, const char *user_id, int *out_done)
{
    const char *p[1] = {user_id};
    PGresult *res = NULL;
    cm_err err = cm_pg_command(
        w->pg,
        "WITH m AS (SELECT min(applied) AS upto FROM index_copies"
        " WHERE seen_at > now() - interval '10 minutes'),"
        " d AS (DELETE FROM index_log WHERE seq <= (SELECT upto FROM m)"
        " AND (a = $1::uuid OR b = $1::uuid OR c = $1::uuid) RETURNING seq)"
        " UPDATE index_pruned SET upto = (SELECT max(seq) FROM d)"
        " WHERE (SELECT max(seq) FROM d) > upto",
        1, p, NULL);
    if (err == CM_OK)
        err = cm_pg_query(w->pg,
                          "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1::uuid) OR EXISTS "
                          "(SELECT 1 FROM index_log WHERE a = $1::uuid OR b = $1::uuid OR "
                          "c = $1::uuid)",
                          1, p, &res);
    if (err == CM_OK) {
        if (PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t"))
            *out_done = 0;
        PQclear(res);
    }
    return err;
}

cm_err authz_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                       uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, purge_statements, index_log_hook, out_payload, out_len);
}
