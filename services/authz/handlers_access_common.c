/* handlers_access_common.c: what the access operations share: who may ask
 * about whom (memberships from the access index, no statement). */
#include <string.h>

#include "authz_state.h"
#include "cm_principal.h"
#include "handlers_access.h"

cm_err access_may_ask(struct cm_req *rq, const char *user_id, const char *pointer,
                      const char *parameter)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    cm_err err = cm_principal_require(rq);
    if (err != CM_OK)
        return err;
    if (cm_principal_is_self(rq, user_id) || cm_principal_platform_admin(rq))
        return CM_OK;
    if (cm_principal_has_role(rq, "admin") && cm_uuid_valid(p->organization_id) &&
        access_index_is_member(authz_index_of(rq->w), user_id, p->organization_id))
        return CM_OK;
    return cm_fail_at(rq, CM_ENOTFOUND, pointer, parameter, "no such user");
}
