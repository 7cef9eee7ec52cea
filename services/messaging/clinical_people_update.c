/* clinical_people_update.c: PUT /api/2015-02-01/admin/users/{uid} of the
 * clinical messaging API: any create parameter, and the special ones
 * (pager_number=remove, account_status, resend_activation_email, services,
 * update_uid=Y, bounced_emails: clears the flag and the address's bounce,
 * as ClearBounce). Identity's part (names, email, user_id,
 * enabled) goes through identity.rpc.ClinicalUpdateAccount first, which
 * refuses an account that also belongs to an organization outside the
 * caller's reach (403, as on /v1); the
 * profile and its event commit after it. Both are idempotent, so a retry
 * of a request that failed half-way finishes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_body.h"
#include "clinical_identity.h"
#include "clinical_people.h"
#include "clinical_people_input.h"
#include "cm_log.h"
#include "store_email_logs.h"

/* bounced_emails: the account's address may receive mail again (what
 * messaging.rpc.ClearBounce does; the suppression list is this service's
 * table). A failure is logged: the flag is cleared all the same. */
static void clear_bounce(struct cm_req *rq, const Identity__ClinicalAccount *a)
{
    int was = 0;

    if (a->email && a->email[0] && store_bounce_clear(rq->w->pg, a->email, &was) != CM_OK)
        cm_warn("the bounce of user %s could not be cleared", a->user_id);
}

/* The account change of in (and the new user_id when update_uid); 0 when
 * there is nothing to change in identity. */
static int account_change(const struct clinical_user_input *in, const char *new_uid,
                          const char *user_id, Identity__ClinicalUpdateAccountRequest *c)
{
    identity__clinical_update_account_request__init(c);
    c->user_id = (char *)user_id;
    if (new_uid) {
        c->set_username = 1;
        c->username = (char *)new_uid;
    }
    if (in->email && !new_uid) {
        c->set_email = 1;
        c->email = (char *)in->email;
    }
    if (in->first_name) {
        c->set_first_name = 1;
        c->first_name = (char *)in->first_name;
    }
    if (in->last_name) {
        c->set_last_name = 1;
        c->last_name = (char *)in->last_name;
    }
    if (in->account_status) {
        c->set_enabled = 1;
        c->enabled = !strcmp(in->account_status, "active");
    }
    return c->set_username || c->set_email || c->set_first_name || c->set_last_name ||
           c->set_enabled;
}

/* Applies the identity part; 400 answered here (*answered) for a refused
 * value. The account after it to *acct when changed. */
static cm_err update_account(struct cm_req *rq, struct cm_resp *out,
                             const struct clinical_caller *caller,
                             const struct clinical_user_input *in, const char *new_uid,
                             const char *user_id, Identity__ClinicalAccount **acct, int *answered)
{
    Identity__ClinicalUpdateAccountRequest c;
    struct clinical_ou_list tree = {0};
    char detail[CLINICAL_DETAIL_MAX], key[32], **ids = NULL;
    char *root[1] = {(char *)caller->ou.name};
    cm_err err;

    *answered = 0;
    if (!account_change(in, new_uid, user_id, &c))
        return CM_OK;
    /* identity changes only accounts whose organizations the caller all reaches */
    err = clinical_ou_lookup(rq->w, root, 1, NULL, 0, 1, &tree);
    if (err == CM_OK && !(ids = calloc(tree.n + 1, sizeof *ids)))
        err = CM_ENOMEM;
    for (size_t i = 0; err == CM_OK && i < tree.n; i++)
        ids[i] = tree.items[i].id;
    c.n_allowed_organization_ids = tree.n;
    c.allowed_organization_ids = ids;
    if (err == CM_OK)
        err = clinical_identity_update(rq->w, &c, acct, detail);
    else
        detail[0] = '\0';
    free(ids);
    clinical_ou_list_free(&tree);
    if (err == CM_ECONFLICT || err == CM_EINVAL) {
        json_t *reason = NULL;
        /* identity's detail starts with the field at fault */
        snprintf(key, sizeof key, "%.*s", (int)strcspn(detail, " "), detail);
        clinical_reason(&reason, new_uid ? "user_id" : err == CM_ECONFLICT ? "email" : key,
                        err == CM_ECONFLICT ? "is another user's" : detail);
        clinical_reply_invalid(rq, out, reason);
        *answered = 1;
        return CM_OK;
    }
    if (err == CM_EDENIED)
        return cm_fail(rq, err, "not authorized");
    if (err != CM_OK)
        return cm_fail(rq, err, "%s", detail[0] ? detail : "identity is unavailable, retry later");
    return CM_OK;
}

cm_err clinical_users_update(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_user_input in = {0};
    struct clinical_found f = {0};
    Identity__ClinicalAccount *acct = NULL;
    json_t *params = NULL, *reason = NULL;
    const char *uid = cm_req_param(rq, "uid");
    char ou[CLINICAL_OU_NAME_MAX], user[256];
    const char *new_uid = NULL;
    int answered = 0, resend;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err == CM_OK && clinical_user_input_read(params, 0, &in, &reason) != CM_OK) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    if (err == CM_OK && in.update_uid == 1) {
        /* the email finds the user; the path's user part is the new user_id */
        if (!in.email || clinical_uid_split(uid, ou, sizeof ou, user, sizeof user) != 0 ||
            strchr(user, ' ')) {
            clinical_reason(&reason, in.email ? "user_id" : "email",
                            in.email ? "the path must end in the new user_id" : "Missing value");
            clinical_reply_invalid(rq, out, reason);
            goto done;
        }
        new_uid = user;
        err = clinical_find_user_by_email(rq, &caller, ou, in.email, &f);
    } else if (err == CM_OK)
        err = clinical_find_user(rq, &caller, uid, 1, &f);
    if (err == CM_OK)
        err = clinical_check_ous(rq, &caller, in.permission_ous, in.associated_ous, &reason);
    if (err == CM_OK && reason) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    if (err == CM_OK)
        err = update_account(rq, out, &caller, &in, new_uid, f.accounts->accounts[0]->user_id, &acct,
                             &answered);
    if (err != CM_OK || answered)
        goto done;
    resend = in.resend_activation_email == 1;
    err = clinical_profile_write(rq, out, f.accounts->accounts[0]->user_id, f.ou.id, &in, params,
                                 f.no_profile, resend, &answered);
    if (err != CM_OK || answered)
        goto done;
    if (in.clear_bounced)
        clear_bounce(rq, acct ? acct : f.accounts->accounts[0]);
    if (resend)
        clinical_send_activation(rq, acct ? acct : f.accounts->accounts[0], &f.ou);
    clinical_reply_ok(rq, out, 200, NULL);
done:
    if (acct)
        identity__clinical_account__free_unpacked(acct, NULL);
    clinical_found_release(&f);
    clinical_user_input_release(&in);
    json_decref(params);
    return err;
}
