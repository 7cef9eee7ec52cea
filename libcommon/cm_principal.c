/* cm_principal.c: principal checks for handlers (cm_principal.h). */
#include "cm_principal.h"

#include <string.h>

const Envelope__Principal *cm_principal_of(const struct cm_req *rq)
{
    static const Envelope__Principal anonymous = ENVELOPE__PRINCIPAL__INIT;
    return rq->http->principal ? rq->http->principal : &anonymous;
}

int cm_principal_authenticated(const struct cm_req *rq)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    return (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER ||
            p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT) &&
           p->user_id[0];
}

int cm_principal_has_role(const struct cm_req *rq, const char *name)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    for (size_t i = 0; i < p->n_roles; i++)
        if (!strcmp(p->roles[i], name))
            return 1;
    return 0;
}

int cm_principal_platform_admin(const struct cm_req *rq)
{
    return cm_principal_authenticated(rq) && cm_principal_has_role(rq, "platform-admin");
}

int cm_principal_org_admin(const struct cm_req *rq, const char *organization_id)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    if (cm_principal_platform_admin(rq))
        return 1;
    return cm_principal_authenticated(rq) && organization_id && organization_id[0] &&
           !strcmp(p->organization_id, organization_id) && cm_principal_has_role(rq, "admin");
}

int cm_principal_is_self(const struct cm_req *rq, const char *user_id)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    return p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && user_id &&
           !strcmp(p->user_id, user_id);
}

cm_err cm_principal_require(struct cm_req *rq)
{
    if (cm_principal_authenticated(rq))
        return CM_OK;
    return cm_fail(rq, CM_EUNAUTH, "authentication required");
}

cm_err cm_principal_require_person(struct cm_req *rq, const char *detail, const char **out_user)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER)
        err = cm_fail(rq, CM_EDENIED, "%s", detail);
    if (err == CM_OK && out_user)
        *out_user = p->user_id;
    return err;
}
