/* clinical_caller.c: the callers of the clinical API's thread operations
 * and their participant records (clinical_caller.h). */
#include "clinical_caller.h"

#include <stdio.h>
#include <string.h>

#include "cm_principal.h"

cm_err ct_caller_of(struct cm_req *rq, int api_only, struct ct_caller *out)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    memset(out, 0, sizeof *out);
    if (p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT &&
        p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER)
        return cm_fail(rq, CM_EUNAUTH, "authentication required");
    if (!p->organization_id || !p->organization_id[0] || !p->user_id || !p->user_id[0])
        return cm_fail(rq, CM_EDENIED, "not authorized");
    out->person = p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER;
    if (api_only && out->person)
        return cm_fail(rq, CM_EDENIED, "not authorized");
    out->id = p->user_id;
    out->org = p->organization_id;
    out->view_phi = cm_principal_has_role(rq, "view-phi");
    return CM_OK;
}

void ct_person_rec(const struct clinical_user *u, const char *ou, struct participant_rec *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->user_id, sizeof p->user_id, "%s", u->id);
    snprintf(p->username, sizeof p->username, "%s", u->username);
    snprintf(p->email, sizeof p->email, "%s", u->email);
    snprintf(p->ou, sizeof p->ou, "%s", ou);
    p->person = 1;
}

void ct_client_rec(const struct ct_caller *c, const char *ou, struct participant_rec *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->user_id, sizeof p->user_id, "%s", c->id);
    snprintf(p->username, sizeof p->username, "%s", c->id);
    snprintf(p->ou, sizeof p->ou, "%s", ou);
}
