/* sso_account.c: the account an identity provider signs in (sso_account.h). */
#include "sso_account.h"

#include <string.h>

#include "handlers.h"
#include "store_oauth2.h"
#include "store_users.h"

/* A new confirmed patient of the organization for id; user id to user_id. */
static cm_err provision(struct cm_req *rq, const struct sso_identity *id, char *user_id)
{
    char role_id[40], account_type[256];
    struct account_new a = {0};
    int changed = 0;
    cm_err err = store_org_role(rq->w->pg, id->organization_id, "patient", role_id);

    a.username = id->email;
    a.email = id->email;
    a.first_name = id->given_name ? id->given_name : "";
    a.last_name = id->family_name ? id->family_name : "";
    a.phone = a.tz = a.preferred_name = a.gender = "";
    a.locale = "en_US";
    a.organization_id = id->organization_id;
    a.role_id = role_id;
    if (err == CM_OK)
        err = store_account_create(rq->w->pg, &a, user_id);
    if (err == CM_ECONFLICT)
        return cm_fail(rq, err, "an account with this email exists outside the organization");
    if (err == CM_OK)
        err = store_account_confirm(rq->w->pg, user_id, "", &changed, account_type);
    if (err == CM_OK)
        err = accounts_created_events(rq->w->pg, user_id, id->organization_id, role_id, "patient");
    return err;
}

cm_err sso_account_of(struct cm_req *rq, const struct sso_identity *id, char *user_id)
{
    PGconn *pg = rq->w->pg;
    cm_err err = store_oidc_link_user(pg, id->issuer, id->subject, id->organization_id, user_id);

    if (err != CM_ENOTFOUND)
        return err;
    if (!id->email || !id->email[0] || !id->email_verified)
        return cm_fail(rq, CM_EDENIED, "the provider gave no verified email and this account "
                                       "is not linked to a member of the organization");
    err = store_oidc_member_by_email(pg, id->organization_id, id->email, user_id);
    if (err == CM_ECONFLICT)
        return cm_fail(rq, err, "several members of the organization have this email");
    if (err == CM_ENOTFOUND && strcmp(id->account_policy, "provision"))
        return cm_fail(rq, CM_EDENIED, "no member of the organization has this verified email");
    if (err == CM_ENOTFOUND)
        err = provision(rq, id, user_id);
    if (err == CM_OK)
        err = store_oidc_link(pg, id->issuer, id->subject, user_id);
    return err;
}

cm_err sso_login(struct cm_req *rq, const char *user_id, json_t **out)
{
    struct login_opts o = {0};
    char detail[128], pointer[32];
    cm_err err;

    o.access_ttl_s = rq->w->cfg->access_token_ttl_s;
    o.refresh_ttl_s = rq->w->cfg->refresh_token_ttl_s;
    o.interactive = 1;
    err = auth_finish_login(rq->w, user_id, NULL, &o, 0, NULL, detail, pointer, out);
    if (err != CM_OK && detail[0])
        cm_fail(rq, err, "%s", detail);
    return err;
}
