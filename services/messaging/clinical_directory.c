/* clinical_directory.c: the members of one organization for the clinical
 * API (clinical_directory.h): identity.rpc.ClinicalGetAccounts with the
 * organization, sent through clinical_identity.c like every call to
 * identity. */
#include "clinical_directory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clinical_identity.h"
#include "cm_alloc.h"
#include "identity.pb-c.h"

static void fill(struct clinical_users *out, const Identity__ClinicalGetAccountsReply *r)
{
    snprintf(out->org_id, sizeof out->org_id, "%s", r->organization_id);
    snprintf(out->org_name, sizeof out->org_name, "%s", r->organization_name);
    out->n = r->n_accounts;
    out->items = cm_xcalloc(r->n_accounts + 1, sizeof *out->items);
    for (size_t i = 0; i < r->n_accounts; i++) {
        const Identity__ClinicalAccount *a = r->accounts[i];
        struct clinical_user *u = &out->items[i];

        snprintf(u->id, sizeof u->id, "%s", a->user_id);
        snprintf(u->username, sizeof u->username, "%s", a->username);
        snprintf(u->email, sizeof u->email, "%s", a->email);
        u->enabled = a->enabled;
        for (size_t k = 0; k < a->n_role_names; k++)
            if (!strcmp(a->role_names[k], "view-phi"))
                u->view_phi = 1;
    }
}

/* ClinicalGetAccounts of the organization with every kind of name. */
static cm_err find(struct cm_req *rq, const char *org_id, const char *org_name,
                   const char *const *emails, size_t n_emails, const char *const *usernames,
                   size_t n_usernames, const char *const *ids, size_t n_ids,
                   struct clinical_users *out)
{
    Identity__ClinicalGetAccountsRequest in = IDENTITY__CLINICAL_GET_ACCOUNTS_REQUEST__INIT;
    Identity__ClinicalGetAccountsReply *r = NULL;
    char detail[CLINICAL_DETAIL_MAX];
    cm_err err;

    in.organization_id = (char *)org_id;
    in.organization_name = (char *)org_name;
    in.emails = (char **)emails;
    in.n_emails = n_emails;
    in.usernames = (char **)usernames;
    in.n_usernames = n_usernames;
    in.user_ids = (char **)ids;
    in.n_user_ids = n_ids;
    err = clinical_identity_get_accounts(rq->w, &in, &r, detail);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "ou not found");
    if (err == CM_EUNAVAIL || err == CM_ETIMEOUT)
        return cm_fail(rq, err, "the user directory is unavailable, retry later");
    if (err == CM_EINTERNAL)
        return cm_fail(rq, err, "malformed directory answer");
    if (err != CM_OK)
        return cm_fail(rq, err == CM_EINVAL || err == CM_ETOOBIG ? err : CM_EUNAVAIL,
                       "the user directory could not answer");
    memset(out, 0, sizeof *out);
    fill(out, r);
    identity__clinical_get_accounts_reply__free_unpacked(r, NULL);
    return CM_OK;
}

cm_err clinical_users_find(struct cm_req *rq, const char *org_id, const char *org_name,
                           const char *const *emails, size_t n_emails, const char *const *usernames,
                           size_t n_usernames, struct clinical_users *out)
{
    return find(rq, org_id, org_name, emails, n_emails, usernames, n_usernames, NULL, 0, out);
}

cm_err clinical_users_find_ids(struct cm_req *rq, const char *org_id, const char *const *ids,
                               size_t n_ids, struct clinical_users *out)
{
    return find(rq, org_id, "", NULL, 0, NULL, 0, ids, n_ids, out);
}

const struct clinical_user *clinical_users_by_id(const struct clinical_users *users, const char *id)
{
    for (size_t i = 0; i < users->n; i++)
        if (!strcmp(users->items[i].id, id))
            return &users->items[i];
    return NULL;
}

const struct clinical_user *clinical_users_by_email(const struct clinical_users *users,
                                                    const char *email)
{
    const struct clinical_user *found = NULL;

    for (size_t i = 0; i < users->n; i++) {
        if (strcasecmp(users->items[i].email, email) != 0)
            continue;
        if (!strcasecmp(users->items[i].username, email))
            return &users->items[i];
        if (!found)
            found = &users->items[i];
    }
    return found;
}

const struct clinical_user *clinical_users_by_username(const struct clinical_users *users,
                                                       const char *username)
{
    for (size_t i = 0; i < users->n; i++)
        if (!strcasecmp(users->items[i].username, username))
            return &users->items[i];
    return NULL;
}

void clinical_users_release(struct clinical_users *users)
{
    free(users->items);
    users->items = NULL;
    users->n = 0;
}
