/* clinical_people.c: POST admin/users and GET admin/users/{uid} of the
 * clinical messaging API, and the lookups the user operations share
 * (clinical_people.h). The account is identity's (created through
 * identity.rpc.ClinicalCreateAccount), the clinical profile messaging's. */
#include "clinical_people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_body.h"
#include "clinical_identity.h"
#include "clinical_people_input.h"
#include "clinical_people_json.h"
#include "clinical_templates.h"
#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "handlers_deliver.h"
#include "spool.h"

void clinical_found_release(struct clinical_found *f)
{
    if (f->accounts)
        identity__clinical_get_accounts_reply__free_unpacked(f->accounts, NULL);
    f->accounts = NULL;
    store_clinical_profile_list_free(&f->profile);
}

/* The profile of account id into f->profile and its OU into f->ou;
 * CM_ENOTFOUND when it has none (or its OU is gone). */
static cm_err profile_of(struct cm_req *rq, const char *id, struct clinical_found *f)
{
    char ids[64];
    cm_err err;

    snprintf(ids, sizeof ids, "[\"%s\"]", id); /* id is a uuid from identity */
    err = store_clinical_profiles_get(rq->w->pg, ids, &f->profile);
    if (err == CM_OK && f->profile.n != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        err = clinical_ou_by_id(rq->w, f->profile.items[0].org_id, &f->ou);
    return err;
}

/* A /v1 person of an OU (an identity account whose default organization
 * is the OU) without a clinical profile yet: a clinical user with the
 * profile table's defaults (f->no_profile set; its first PUT makes the
 * profile). CM_ENOTFOUND when the account's organization is no OU. */
static cm_err default_profile(struct cm_req *rq, const Identity__ClinicalAccount *a,
                              struct clinical_found *f)
{
    cm_err err;

    if (!a->organization_id || !a->organization_id[0])
        return CM_ENOTFOUND;
    err = clinical_ou_by_id(rq->w, a->organization_id, &f->ou);
    if (err != CM_OK)
        return err;
    store_clinical_profile_list_free(&f->profile);
    f->profile.items = cm_xmalloc(sizeof *f->profile.items);
    f->profile.items[0] = (struct clinical_profile_rec){
        .user_id = a->user_id, .org_id = f->ou.id, .specialty = "", .title = "",
        .associated_ou = "", .admin_permissions = "", .legal_agreement = "", .pager_number = "",
        .tags = "[]", .location = "", .location_detail = "", .city = "", .state = "",
        .zip_code = "", .status = "available", .status_message = "", .services = "[]",
        .created_at = a->created_at ? a->created_at : "", .managed = 1, .has_password = 1};
    f->profile.n = 1;
    f->no_profile = 1;
    return CM_OK;
}

/* After a lookup: 404 naming what when not found or out of reach, 403 when
 * manage is refused; other errors as they are. */
static cm_err settle(struct cm_req *rq, const struct clinical_caller *caller, const char *ou,
                     const char *what, int manage, cm_err err, struct clinical_found *f)
{
    if (err == CM_OK && ((ou[0] && strcmp(ou, f->ou.name)) ||
                         !clinical_caller_reaches(caller, f->ou.name)))
        err = CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        err = cm_fail(rq, CM_ENOTFOUND, "user [%s] not found", what);
    else if (err == CM_OK)
        err = clinical_caller_may(rq, caller, f->ou.name, manage);
    else if (!rq->detail[0])
        cm_fail(rq, err, "the user could not be read, retry later");
    if (err != CM_OK)
        clinical_found_release(f);
    return err;
}

cm_err clinical_find_user(struct cm_req *rq, const struct clinical_caller *caller, const char *uid,
                          int manage, struct clinical_found *out)
{
    char ou[CLINICAL_OU_NAME_MAX], user[256];
    cm_err err = CM_ENOTFOUND;

    memset(out, 0, sizeof *out);
    if (clinical_uid_split(uid, ou, sizeof ou, user, sizeof user) == 0)
        err = clinical_identity_accounts(rq->w, NULL, 0, user, "", &out->accounts);
    if (err == CM_OK && out->accounts->n_accounts != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        err = profile_of(rq, out->accounts->accounts[0]->user_id, out);
    if (err == CM_ENOTFOUND && out->accounts && out->accounts->n_accounts == 1)
        err = default_profile(rq, out->accounts->accounts[0], out);
    return settle(rq, caller, ou, uid, manage, err, out);
}

cm_err clinical_find_user_by_email(struct cm_req *rq, const struct clinical_caller *caller,
                                   const char *ou, const char *email, struct clinical_found *out)
{
    Identity__ClinicalGetAccountsReply *all = NULL;
    cm_err err;

    memset(out, 0, sizeof *out);
    err = clinical_identity_accounts(rq->w, NULL, 0, "", email, &all);
    /* the one with a profile the caller reaches (in ou when named) */
    for (size_t i = 0; err == CM_OK && i < all->n_accounts; i++) {
        struct clinical_found f = {0};
        if (profile_of(rq, all->accounts[i]->user_id, &f) == CM_OK &&
            clinical_caller_reaches(caller, f.ou.name) && (!ou[0] || !strcmp(ou, f.ou.name))) {
            out->profile = f.profile;
            out->ou = f.ou;
            err = clinical_identity_accounts(rq->w, &all->accounts[i]->user_id, 1, "", "",
                                             &out->accounts);
            if (err == CM_OK && out->accounts->n_accounts != 1)
                err = CM_ENOTFOUND;
            break;
        }
        store_clinical_profile_list_free(&f.profile);
    }
    if (err == CM_OK && !out->accounts)
        err = CM_ENOTFOUND;
    if (all)
        identity__clinical_get_accounts_reply__free_unpacked(all, NULL);
    return settle(rq, caller, ou, email, 1, err, out);
}

cm_err clinical_check_ous(struct cm_req *rq, const struct clinical_caller *caller,
                          const json_t *permission_ous, const json_t *associated_ous,
                          json_t **reason)
{
    size_t np = json_array_size(permission_ous), na = json_array_size(associated_ous), i, k = 0;
    char **names = calloc(np + na + 1, sizeof *names);
    struct clinical_ou_list l = {0};
    cm_err err;

    if (!names)
        return CM_ENOMEM;
    for (i = 0; i < np; i++)
        names[k++] = (char *)json_string_value(json_array_get(permission_ous, i));
    for (i = 0; i < na; i++)
        names[k++] = (char *)json_string_value(json_array_get(associated_ous, i));
    err = clinical_ou_lookup(rq->w, names, k, NULL, 0, 0, &l);
    for (i = 0; err == CM_OK && i < k; i++) {
        int found = 0;
        for (size_t j = 0; j < l.n; j++)
            found |= !strcmp(l.items[j].name, names[i]);
        if (i < np && (!found || !clinical_caller_reaches(caller, names[i])))
            clinical_reason(reason, "admin_permissions",
                            "each scope must be an OU you administer");
        else if (i >= np && !found)
            clinical_reason(reason, "associated_ou", "each item must be an existing OU");
    }
    if (err != CM_OK)
        cm_fail(rq, err, "identity is unavailable, retry later");
    clinical_ou_list_free(&l);
    free(names);
    return err;
}

void clinical_send_activation(struct cm_req *rq, const Identity__ClinicalAccount *a,
                              const struct clinical_ou *ou)
{
    const char *names[3] = {"name", "user_id", "organization_name"};
    const char *values[3] = {a->first_name, a->username, ou->name};
    struct compose_out c = {NULL, NULL, NULL, NULL};
    struct spool_msg m = {"email", a->email, "", "", CLINICAL_TPL_ACTIVATION, ou->id, "txt"};

    if (!a->email[0])
        return;
    if (clinical_render(rq->w->pg, "email", CLINICAL_TPL_ACTIVATION, ou->id, names, values, 3,
                        &c) == CM_OK) {
        m.subject = c.subject;
        m.body = c.body;
        m.format = c.format;
        if (deliver_message(rq->w, &m) != CM_OK)
            cm_warn("activation email of user %s not sent", a->user_id);
    }
    compose_release(&c);
}

/* The profile columns of in (pager "remove" is ""). */
static void profile_set_of(const struct clinical_user_input *in, struct clinical_profile_set *s)
{
    memset(s, 0, sizeof *s);
    s->specialty = in->specialty;
    s->title = in->title;
    s->associated_ou = in->associated_ou;
    s->admin_permissions = in->admin_permissions;
    s->legal_agreement = in->legal_agreement;
    s->pager_number = in->pager_number && !strcmp(in->pager_number, "remove") ? "" : in->pager_number;
    s->tags = in->tags;
    s->location = in->location;
    s->location_detail = in->location_detail;
    s->city = in->city;
    s->state = in->state;
    s->zip_code = in->zip_code;
    s->sso = in->sso;
    s->managed = in->managed;
    s->has_password = in->has_password;
    s->clear_bounced = in->clear_bounced;
}

/* Names of the parameters in p, for the event's fields (caller frees the
 * array; the strings are p's). */
static char **field_names(const json_t *p, size_t *n)
{
    char **out = calloc(json_object_size(p) + 1, sizeof *out);
    const char *key;
    json_t *v;

    *n = 0;
    if (out)
        json_object_foreach((json_t *)p, key, v) out[(*n)++] = (char *)key;
    return out;
}

/* Writes the profile (create or update), the user's services and the
 * event in one transaction; a 400 reason for a taken pager or an unknown
 * service (answered here: *answered set). */
cm_err clinical_profile_write(struct cm_req *rq, struct cm_resp *out, const char *user_id,
                              const char *org_id, const struct clinical_user_input *in,
                              const json_t *params, int create, int activation, int *answered)
{
    struct clinical_profile_set s;
    json_t *reason = NULL;
    size_t nf;
    char **fields = field_names(params, &nf);
    cm_err err = fields ? cm_pg_begin(rq->w->pg) : CM_ENOMEM;

    *answered = 0;
    profile_set_of(in, &s);
    s.activation_sent = activation;
    if (err == CM_OK) {
        err = store_clinical_profile_put(rq->w->pg, user_id, org_id, &s, create);
        if (err == CM_ECONFLICT && s.pager_number && s.pager_number[0])
            clinical_reason(&reason, "pager_number", "is another user's pager number");
    }
    if (err == CM_OK && in->services) {
        err = store_clinical_user_services_set(rq->w->pg, user_id, org_id, in->services);
        if (err == CM_ENOTFOUND)
            clinical_reason(&reason, "services", "each must be a service of the user's OU");
    }
    if (err == CM_OK)
        err = store_clinical_user_event(rq->w->pg, user_id, org_id, create ? "created" : "updated",
                                        fields, nf);
    err = cm_pg_end(rq->w->pg, err);
    free(fields);
    if (reason) {
        clinical_reply_invalid(rq, out, reason);
        *answered = 1;
        return CM_OK;
    }
    if (err == CM_ECONFLICT && create)
        err = cm_fail(rq, CM_EINVAL, "A user with these credentials already exists");
    else if (err != CM_OK && !rq->detail[0])
        cm_fail(rq, err, "the user could not be saved, retry later");
    return err;
}

/* A copy of a (caller identity__clinical_account__free_unpacked), NULL
 * when out of memory. */
static Identity__ClinicalAccount *account_copy(const Identity__ClinicalAccount *a)
{
    size_t len = identity__clinical_account__get_packed_size(a);
    uint8_t *buf = malloc(len ? len : 1);
    Identity__ClinicalAccount *c = NULL;

    if (buf) {
        identity__clinical_account__pack(a, buf);
        c = identity__clinical_account__unpack(NULL, len, buf);
        free(buf);
    }
    return c;
}

/* An account that a create whose answer was lost left without a profile
 * (same username, same primary OU, no password: made by
 * ClinicalCreateAccount, not a /v1 account): adopted, so that a retry
 * converges. */
static int orphan_of(struct cm_req *rq, const char *username, const struct clinical_ou *ou,
                     Identity__ClinicalAccount **out)
{
    Identity__ClinicalGetAccountsReply *r = NULL;
    struct clinical_profile_list pl = {0};
    char ids[64];

    if (clinical_identity_accounts(rq->w, NULL, 0, username, "", &r) != CM_OK)
        return 0;
    if (r->n_accounts == 1 && !strcmp(r->accounts[0]->organization_id, ou->id) &&
        !r->accounts[0]->has_password) {
        snprintf(ids, sizeof ids, "[\"%s\"]", r->accounts[0]->user_id);
        if (store_clinical_profiles_get(rq->w->pg, ids, &pl) == CM_OK && pl.n == 0)
            *out = account_copy(r->accounts[0]);
    }
    store_clinical_profile_list_free(&pl);
    identity__clinical_get_accounts_reply__free_unpacked(r, NULL);
    return *out != NULL;
}

/* Answers {"status": "ok", "user": {...}} for account a with its profile. */
static cm_err answer_user(struct cm_req *rq, struct cm_resp *out,
                          const Identity__ClinicalAccount *a, const struct clinical_ou *ou)
{
    struct clinical_profile_list pl = {0};
    char ids[64];
    cm_err err;

    snprintf(ids, sizeof ids, "[\"%s\"]", a->user_id);
    err = store_clinical_profiles_get(rq->w->pg, ids, &pl);
    if (err == CM_OK && pl.n != 1)
        err = CM_EINTERNAL;
    if (err == CM_OK)
        clinical_reply_ok(rq, out, 200,
                          json_pack("{s:o}", "user", clinical_user_json(a, &pl.items[0], ou->name)));
    else
        cm_fail(rq, err, "the user could not be read, retry later");
    store_clinical_profile_list_free(&pl);
    return err;
}

/* Creates the identity account of in in OU ou (or adopts an orphan). */
static cm_err create_account(struct cm_req *rq, struct cm_resp *out,
                             const struct clinical_user_input *in, const struct clinical_ou *ou,
                             Identity__ClinicalAccount **acct, int *answered)
{
    Identity__ClinicalCreateAccountRequest c = IDENTITY__CLINICAL_CREATE_ACCOUNT_REQUEST__INIT;
    char id[SPOOL_UUID_LEN + 1], detail[CLINICAL_DETAIL_MAX];
    const char *username = in->user_id ? in->user_id : in->email;
    cm_err err;

    *answered = 0;
    spool_uuid(id);
    c.user_id = id;
    c.username = (char *)username;
    c.email = (char *)in->email;
    c.first_name = (char *)in->first_name;
    c.last_name = (char *)in->last_name;
    c.organization_id = (char *)ou->id;
    err = clinical_identity_create(rq->w, &c, acct, detail);
    if (err == CM_ECONFLICT && orphan_of(rq, username, ou, acct))
        return CM_OK;
    if (err == CM_ECONFLICT) {
        clinical_reply_error(rq, out, 400, "A user with these credentials already exists");
        *answered = 1;
        return CM_OK;
    }
    if (err == CM_EINVAL) {
        clinical_reply_error(rq, out, 400, detail);
        *answered = 1;
        return CM_OK;
    }
    if (err != CM_OK)
        return cm_fail(rq, err, "%s", detail[0] ? detail : "identity is unavailable, retry later");
    return CM_OK;
}

cm_err clinical_users_create(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_user_input in = {0};
    struct clinical_ou ou;
    Identity__ClinicalAccount *acct = NULL;
    json_t *params = NULL, *reason = NULL;
    int answered = 0, activation;
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_params(rq, &params);
    if (err == CM_OK && clinical_user_input_read(params, 1, &in, &reason) != CM_OK) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    if (err == CM_OK) {
        err = clinical_ou_by_name(rq->w, in.primary_ou ? in.primary_ou : caller.ou.name, &ou);
        if (err == CM_ENOTFOUND) {
            err = CM_OK;
            clinical_reason(&reason, "primary_ou", "must be an existing OU");
            clinical_reply_invalid(rq, out, reason);
            goto done;
        }
        if (err != CM_OK)
            cm_fail(rq, err, "identity is unavailable, retry later");
    }
    if (err == CM_OK)
        err = clinical_caller_may(rq, &caller, ou.name, 1);
    if (err == CM_OK)
        err = clinical_check_ous(rq, &caller, in.permission_ous, in.associated_ous, &reason);
    if (err == CM_OK && reason) {
        clinical_reply_invalid(rq, out, reason);
        goto done;
    }
    if (err == CM_OK)
        err = create_account(rq, out, &in, &ou, &acct, &answered);
    if (err != CM_OK || answered)
        goto done;
    activation = in.send_activation_email != 0;
    err = clinical_profile_write(rq, out, acct->user_id, ou.id, &in, params, 1, activation,
                                 &answered);
    if (err != CM_OK || answered)
        goto done;
    if (activation)
        clinical_send_activation(rq, acct, &ou);
    err = answer_user(rq, out, acct, &ou);
done:
    if (acct)
        identity__clinical_account__free_unpacked(acct, NULL);
    clinical_user_input_release(&in);
    json_decref(params);
    return err;
}

cm_err clinical_users_read(struct cm_req *rq, struct cm_resp *out)
{
    struct clinical_caller caller;
    struct clinical_found f = {0};
    cm_err err = clinical_caller_of(rq, &caller);

    if (err == CM_OK)
        err = clinical_find_user(rq, &caller, cm_req_param(rq, "uid"), 0, &f);
    if (err == CM_OK)
        clinical_reply_ok(rq, out, 200,
                          json_pack("{s:o}", "user",
                                    clinical_user_json(f.accounts->accounts[0], &f.profile.items[0],
                                                       f.ou.name)));
    clinical_found_release(&f);
    return err;
}
