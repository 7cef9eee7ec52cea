/* purge_rpc.c: authz.rpc.Purge, authz's step of privacy's deletion saga
 * (libcommon/cm_purge.h): the projection forgets the person (user,
 * memberships, roles), their individuals leave every group and go, their
 * leaderships and memberships go, and their id is blanked where they acted
 * on others (created_by, added_by) and from group logs. A table that holds
 * a person's data gets one line here. */
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

cm_err authz_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                       uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, purge_statements, NULL, out_payload, out_len);
}
