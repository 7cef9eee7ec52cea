/* tenancy.c: principal checks for identity's handlers (tenancy.h). */
#include "tenancy.h"

#include <string.h>

const Envelope__Principal *tn_principal(const struct cm_req *rq)
{
    static const Envelope__Principal anonymous = ENVELOPE__PRINCIPAL__INIT;
    return rq->http->principal ? rq->http->principal : &anonymous;
}

int tn_authenticated(const struct cm_req *rq)
{
    const Envelope__Principal *p = tn_principal(rq);
    return (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER ||
            p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT) &&
           p->user_id[0];
}

int tn_has_role(const struct cm_req *rq, const char *name)
{
    const Envelope__Principal *p = tn_principal(rq);
    for (size_t i = 0; i < p->n_roles; i++)
        if (!strcmp(p->roles[i], name))
            return 1;
    return 0;
}

int tn_platform_admin(const struct cm_req *rq)
{
    return tn_authenticated(rq) && tn_has_role(rq, "platform-admin");
}

int tn_org_admin(const struct cm_req *rq, const char *organization_id)
{
    const Envelope__Principal *p = tn_principal(rq);
    if (tn_platform_admin(rq))
        return 1;
    return tn_authenticated(rq) && organization_id && organization_id[0] &&
           !strcmp(p->organization_id, organization_id) && tn_has_role(rq, "admin");
}

int tn_is_self(const struct cm_req *rq, const char *user_id)
{
    const Envelope__Principal *p = tn_principal(rq);
    return p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && user_id &&
           !strcmp(p->user_id, user_id);
}

cm_err tn_require_auth(struct cm_req *rq)
{
    if (tn_authenticated(rq))
        return CM_OK;
    return cm_fail(rq, CM_EUNAUTH, "authentication required");
}
