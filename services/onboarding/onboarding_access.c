/* onboarding_access.c: who may onboard people (onboarding_access.h). */
#include "onboarding_access.h"

#include <string.h>

#include "cm_principal.h"

int onboarding_may_onboard(struct cm_req *rq, const char *org)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    return cm_principal_org_admin(rq, org) ||
           (p->organization_id && !strcmp(p->organization_id, org) &&
            cm_principal_has_role(rq, "provider"));
}

int onboarding_may_give_role(struct cm_req *rq, const char *org, const char *role)
{
    return cm_principal_org_admin(rq, org) || cm_principal_has_role(rq, role);
}
