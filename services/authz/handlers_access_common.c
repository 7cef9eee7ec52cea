/* handlers_access_common.c: what the access operations share: who may ask
 * about whom. */
#include <string.h>

#include "cm_principal.h"
#include "handlers_access.h"

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
        err = store_access_is_member(rq->w->pg, user_id, p->organization_id, &member);
        if (err != CM_OK)
            return err;
        if (member)
            return CM_OK;
    }
    return cm_fail_at(rq, CM_ENOTFOUND, pointer, parameter, "no such user");
}
