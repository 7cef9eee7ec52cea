/* handlers_access_common.c: what the access operations share that touches
 * the database: the projected user's status and who may ask about whom. */
#include <string.h>

#include "cm_pg.h"
#include "cm_principal.h"
#include "handlers_access.h"

cm_err access_user_status(PGconn *pg, const char *user_id, int *out_known, int *out_enabled,
                          int *out_platform_admin)
{
    const char *params[1] = {user_id};
    PGresult *res = cm_pg_exec_params(pg,
                                 "SELECT enabled, platform_admin FROM users WHERE id = $1::uuid",
                                 1, NULL, params, NULL, NULL, 0);
    cm_err err = cm_pg_result_err(res);
    if (err == CM_OK) {
        int known = PQntuples(res) == 1;
        int ce = PQfnumber(res, "enabled"), cp = PQfnumber(res, "platform_admin");
        *out_known = known;
        *out_enabled = known && PQgetvalue(res, 0, ce)[0] == 't';
        *out_platform_admin = known && PQgetvalue(res, 0, cp)[0] == 't';
    }
    PQclear(res);
    return err;
}

/* True when user_id is a member of organization_id in the projection. */
static cm_err is_member(PGconn *pg, const char *user_id, const char *organization_id,
                        int *out_member)
{
    const char *params[2] = {user_id, organization_id};
    PGresult *res = cm_pg_exec_params(pg,
                                 "SELECT 1 FROM memberships WHERE user_id = $1::uuid"
                                 " AND organization_id = $2::uuid",
                                 2, NULL, params, NULL, NULL, 0);
    cm_err err = cm_pg_result_err(res);
    if (err == CM_OK)
        *out_member = PQntuples(res) == 1;
    PQclear(res);
    return err;
}

cm_err access_may_ask(struct cm_req *rq, const char *user_id, const char *pointer,
                      const char *parameter)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    int member = 0;
    cm_err err = cm_principal_require(rq);
    if (err != CM_OK)
        return err;
    if (cm_principal_is_self(rq, user_id) || cm_principal_platform_admin(rq))
        return CM_OK;
    if (cm_principal_has_role(rq, "admin") && cm_uuid_valid(p->organization_id)) {
        err = is_member(rq->w->pg, user_id, p->organization_id, &member);
        if (err != CM_OK)
            return err;
        if (member)
            return CM_OK;
    }
    return cm_fail_at(rq, CM_ENOTFOUND, pointer, parameter, "no such user");
}
