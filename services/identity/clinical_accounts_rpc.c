/* clinical_accounts_rpc.c: identity.rpc.ClinicalCreateAccount,
 * ClinicalGetAccounts and ClinicalUpdateAccount: the accounts of the
 * clinical messaging API's users (messaging keeps their clinical profile).
 * They have no password until the person sets one; they log in on /v1 like
 * any account. Every change commits with its events (UserChanged, and the
 * membership and role events of a new account). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_rpc.h"
#include "cm_body.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "handlers_users.h"
#include "identity.pb-c.h"
#include "store.h"
#include "store_clinical.h"

#define CLINICAL_ROLE "provider"
#define CLINICAL_LOCALE "en_US"

/* CM_EINVAL with a detail unless s is UTF-8 with min..max characters. */
static cm_err text(struct cm_worker *w, const char *name, const char *s, size_t min, size_t max)
{
    size_t chars;

    if (!cm_utf8_valid((const unsigned char *)s, strlen(s)))
        return cm_rpc_fail(w, CM_EINVAL, "%s must be UTF-8", name);
    chars = cm_body_utf8_chars(s);
    if (chars < min || chars > max)
        return cm_rpc_fail(w, CM_EINVAL, "%s must have %zu to %zu characters", name, min, max);
    return CM_OK;
}

static cm_err check_username(struct cm_worker *w, const char *s)
{
    cm_err err = text(w, "user_id", s, 1, 255);

    if (err == CM_OK && !users_username_valid(s))
        err = cm_rpc_fail(w, CM_EINVAL, "user_id must not contain spaces");
    return err;
}

static cm_err check_email(struct cm_worker *w, const char *s, int required)
{
    cm_err err = text(w, "email", s, required ? 1 : 0, 255);

    if (err == CM_OK && s[0] && !users_email_valid(s))
        err = cm_rpc_fail(w, CM_EINVAL, "email must be an email address");
    return err;
}

/* The accounts of ids (n of them), of username / email, or of usernames
 * (nn of them), into l. */
static cm_err accounts_by(PGconn *pg, char **ids, size_t n, const char *username,
                          const char *email, char **names, size_t nn,
                          struct clinical_account_list *l)
{
    json_t *a = json_array(), *b = json_array();
    char *ids_json, *names_json;
    cm_err err = CM_OK;

    for (size_t i = 0; i < n; i++)
        if (cm_uuid_valid(ids[i]))
            json_array_append_new(a, json_string(ids[i]));
    for (size_t i = 0; i < nn; i++)
        json_array_append_new(b, json_string(names[i]));
    ids_json = json_dumps(a, JSON_COMPACT);
    names_json = json_dumps(b, JSON_COMPACT);
    json_decref(a);
    json_decref(b);
    if (!ids_json || !names_json)
        err = CM_EINVAL; /* a name that is not UTF-8 */
    if (err == CM_OK)
        err = store_clinical_accounts(pg, ids_json, username, email, names_json, l);
    free(ids_json);
    free(names_json);
    return err;
}

static cm_err accounts_of(PGconn *pg, char **ids, size_t n, const char *username,
                          const char *email, struct clinical_account_list *l)
{
    return accounts_by(pg, ids, n, username, email, NULL, 0, l);
}

static void account_msg(const struct clinical_account_rec *r, Identity__ClinicalAccount *m)
{
    identity__clinical_account__init(m);
    m->user_id = (char *)r->user_id;
    m->username = (char *)r->username;
    m->email = (char *)r->email;
    m->first_name = (char *)r->first_name;
    m->last_name = (char *)r->last_name;
    m->enabled = r->enabled;
    m->has_password = r->has_password;
    m->organization_id = (char *)r->organization_id;
    m->created_at = (char *)r->created_at;
}

/* Answers the account id as a ClinicalAccount; CM_ENOTFOUND when none. */
static cm_err answer_account(struct cm_worker *w, const char *id, uint8_t **out_payload,
                             size_t *out_len)
{
    struct clinical_account_list l = {0};
    Identity__ClinicalAccount m;
    char *ids[1] = {(char *)id};
    cm_err err = accounts_of(w->pg, ids, 1, "", "", &l);

    if (err == CM_OK && l.n != 1)
        err = cm_rpc_fail(w, CM_ENOTFOUND, "no such account");
    if (err == CM_OK) {
        account_msg(&l.items[0], &m);
        *out_payload = cm_pack(&m.base, out_len);
    }
    store_clinical_list_free(&l.n, (void **)&l.items, &l.mem);
    return err;
}

static cm_err check_create(struct cm_worker *w, const Identity__ClinicalCreateAccountRequest *in)
{
    cm_err err = cm_uuid_valid(in->user_id) ? CM_OK
                                            : cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid");

    if (err == CM_OK)
        err = check_username(w, in->username);
    if (err == CM_OK)
        err = check_email(w, in->email, 0);
    if (err == CM_OK)
        err = text(w, "first_name", in->first_name, 0, 255);
    if (err == CM_OK)
        err = text(w, "last_name", in->last_name, 0, 255);
    if (err == CM_OK && !cm_uuid_valid(in->organization_id))
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id must be a uuid");
    return err;
}

/* CM_OK when account in->user_id exists with in->username (an earlier call
 * whose reply was lost), CM_ECONFLICT when the id is another username's,
 * CM_ENOTFOUND when it does not exist. */
static cm_err created_before(struct cm_worker *w, const Identity__ClinicalCreateAccountRequest *in)
{
    struct clinical_account_list l = {0};
    char *ids[1] = {in->user_id};
    cm_err err = accounts_of(w->pg, ids, 1, "", "", &l);

    if (err == CM_OK && l.n != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK && strcasecmp(l.items[0].username, in->username) != 0)
        err = cm_rpc_fail(w, CM_ECONFLICT, "user_id belongs to another account");
    store_clinical_list_free(&l.n, (void **)&l.items, &l.mem);
    return err;
}

cm_err rpc_clinical_create_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len)
{
    Identity__ClinicalCreateAccountRequest *in;
    char role_id[40], user_id[40];
    cm_err err;

    in = identity__clinical_create_account_request__unpack(NULL, req->payload.len,
                                                           req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ClinicalCreateAccountRequest");
    err = check_create(w, in);
    if (err == CM_OK)
        err = created_before(w, in);
    if (err == CM_ENOTFOUND) {
        struct account_new a = {in->username, NULL, in->email, in->first_name, in->last_name,
                                "", CLINICAL_LOCALE, "", in->organization_id, NULL, "", "", "",
                                in->user_id};
        err = store_org_role(w->pg, in->organization_id, CLINICAL_ROLE, role_id);
        if (err == CM_ENOTFOUND || err == CM_EINVAL)
            err = cm_rpc_fail(w, CM_ENOTFOUND, "no such organization");
        a.role_id = role_id;
        if (err == CM_OK)
            err = cm_pg_begin(w->pg);
        if (err == CM_OK) {
            err = store_account_create(w->pg, &a, user_id);
            if (err == CM_ECONFLICT)
                cm_rpc_fail(w, err, "username is taken");
        }
        if (err == CM_OK)
            err = accounts_created_events(w->pg, user_id, in->organization_id, role_id,
                                          CLINICAL_ROLE);
        err = cm_pg_end(w->pg, err);
        /* a concurrent call with the same id won the insert */
        if (err == CM_ECONFLICT && created_before(w, in) == CM_OK)
            err = CM_OK;
    }
    if (err == CM_OK)
        err = answer_account(w, in->user_id, out_payload, out_len);
    identity__clinical_create_account_request__free_unpacked(in, NULL);
    return err;
}

cm_err rpc_clinical_get_accounts(struct cm_worker *w, const Envelope__RpcRequest *req,
                                 uint8_t **out_payload, size_t *out_len)
{
    Identity__ClinicalGetAccountsRequest *in;
    Identity__ClinicalGetAccountsReply reply = IDENTITY__CLINICAL_GET_ACCOUNTS_REPLY__INIT;
    Identity__ClinicalAccount *ms = NULL, **ptrs = NULL;
    struct clinical_account_list l = {0};
    cm_err err = CM_OK;

    in = identity__clinical_get_accounts_request__unpack(NULL, req->payload.len,
                                                         req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ClinicalGetAccountsRequest");
    if (in->n_user_ids > CLINICAL_MAX_ROWS || in->n_usernames > CLINICAL_MAX_ROWS)
        err = cm_rpc_fail(w, CM_ETOOBIG, "at most %d user_ids and usernames", CLINICAL_MAX_ROWS);
    if (err == CM_OK)
        err = accounts_by(w->pg, in->user_ids, in->n_user_ids, in->username, in->email,
                          in->usernames, in->n_usernames, &l);
    if (err == CM_OK && l.n) {
        ms = calloc(l.n, sizeof *ms);
        ptrs = calloc(l.n, sizeof *ptrs);
        if (!ms || !ptrs)
            err = CM_ENOMEM;
    }
    if (err == CM_OK) {
        for (size_t i = 0; i < l.n; i++) {
            account_msg(&l.items[i], &ms[i]);
            ptrs[i] = &ms[i];
        }
        reply.n_accounts = l.n;
        reply.accounts = ptrs;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    free(ms);
    free(ptrs);
    store_clinical_list_free(&l.n, (void **)&l.items, &l.mem);
    identity__clinical_get_accounts_request__free_unpacked(in, NULL);
    return err;
}

/* CM_EDENIED unless every organization of account in->user_id is one of
 * in->allowed_organization_ids (which must be given). */
static cm_err check_reach(struct cm_worker *w, const Identity__ClinicalUpdateAccountRequest *in)
{
    json_t *a = json_array();
    char *allowed;
    long n = 1;
    cm_err err;

    for (size_t i = 0; i < in->n_allowed_organization_ids; i++)
        if (cm_uuid_valid(in->allowed_organization_ids[i]))
            json_array_append_new(a, json_string(in->allowed_organization_ids[i]));
    allowed = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (!allowed)
        return CM_ENOMEM;
    err = store_clinical_foreign_memberships(w->pg, in->user_id, allowed, &n);
    free(allowed);
    if (err == CM_OK && (n > 0 || in->n_allowed_organization_ids == 0))
        err = cm_rpc_fail(w, CM_EDENIED, "the account belongs to another organization");
    return err;
}

static cm_err check_update(struct cm_worker *w, const Identity__ClinicalUpdateAccountRequest *in)
{
    cm_err err = cm_uuid_valid(in->user_id) ? CM_OK
                                            : cm_rpc_fail(w, CM_ENOTFOUND, "no such account");

    if (err == CM_OK)
        err = check_reach(w, in);

    if (err == CM_OK && in->set_username)
        err = check_username(w, in->username);
    if (err == CM_OK && in->set_email)
        err = check_email(w, in->email, 1);
    if (err == CM_OK && in->set_first_name)
        err = text(w, "first_name", in->first_name, 0, 255);
    if (err == CM_OK && in->set_last_name)
        err = text(w, "last_name", in->last_name, 0, 255);
    return err;
}

cm_err rpc_clinical_update_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                                   uint8_t **out_payload, size_t *out_len)
{
    Identity__ClinicalUpdateAccountRequest *in;
    struct clinical_account_change c = {0};
    int fields;
    cm_err err;

    in = identity__clinical_update_account_request__unpack(NULL, req->payload.len,
                                                           req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ClinicalUpdateAccountRequest");
    err = check_update(w, in);
    c.username = in->set_username ? in->username : NULL;
    c.email = in->set_email ? in->email : NULL;
    c.first_name = in->set_first_name ? in->first_name : NULL;
    c.last_name = in->set_last_name ? in->last_name : NULL;
    fields = in->set_username || in->set_email || in->set_first_name || in->set_last_name;
    if (err == CM_OK)
        err = cm_pg_begin(w->pg);
    if (err == CM_OK) {
        /* always touches the row: CM_ENOTFOUND for an unknown account */
        err = store_clinical_account_update(w->pg, in->user_id, &c);
        if (err == CM_ECONFLICT)
            cm_rpc_fail(w, err, "username is taken");
        else if (err == CM_ENOTFOUND)
            cm_rpc_fail(w, err, "no such account");
    }
    if (err == CM_OK && fields)
        err = users_event(w->pg, in->user_id, "updated");
    if (err == CM_OK && in->set_enabled) {
        err = store_user_set_enabled(w->pg, in->user_id, in->enabled);
        if (err == CM_OK)
            err = users_event(w->pg, in->user_id, in->enabled ? "enabled" : "disabled");
        if (err == CM_OK && !in->enabled)
            err = users_revoke_sessions(w->pg, in->user_id, "disabled");
    }
    err = cm_pg_end(w->pg, err);
    if (err == CM_OK)
        err = answer_account(w, in->user_id, out_payload, out_len);
    identity__clinical_update_account_request__free_unpacked(in, NULL);
    return err;
}
