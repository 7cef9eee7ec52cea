/* clinical_accounts_rpc.c: identity.rpc.ClinicalCreateAccount,
 * ClinicalGetAccounts and ClinicalUpdateAccount: the accounts of the
 * clinical messaging API's users (messaging keeps their clinical profile);
 * ClinicalGetAccounts also resolves the members of one organization by
 * email, username or id for its threads, pages and patients.
 * They have no password until the person sets one; they log in on /v1 like
 * any account. Every change commits with its events (UserChanged, and the
 * membership and role events of a new account). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_rpc.h"
#include "cm_alloc.h"
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

/* The strings v[0..n) and, when not "", extra, as a JSON array text
 * (caller frees); with uuids only those that are uuids (a name that is not
 * UTF-8 matches nobody and is left out too). */
static char *json_list(char *const *v, size_t n, const char *extra, int uuids)
{
    json_t *a = json_array();
    char *s;

    for (size_t i = 0; i < n; i++)
        if (!uuids || cm_uuid_valid(v[i]))
            json_array_append_new(a, json_string(v[i]));
    if (extra && extra[0])
        json_array_append_new(a, json_string(extra));
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (!s)
        abort(); /* jansson fails only when out of memory: cm_xmalloc's policy */
    return s;
}

/* The accounts in reply to in into l (CM_ENOTFOUND: no such organization). */
static cm_err accounts_by(PGconn *pg, const Identity__ClinicalGetAccountsRequest *in,
                          struct clinical_account_list *l)
{
    char *ids = json_list(in->user_ids, in->n_user_ids, NULL, 1);
    char *names = json_list(in->usernames, in->n_usernames, in->username, 0);
    char *emails = json_list(in->emails, in->n_emails, in->email, 0);
    struct clinical_account_query q = {in->organization_id[0] ? in->organization_id : NULL,
                                       in->organization_name[0] ? in->organization_name : NULL,
                                       ids, names, emails};
    cm_err err = store_clinical_accounts(pg, &q, l);

    free(ids);
    free(names);
    free(emails);
    return err;
}

/* The account id (any organization) into l. */
static cm_err accounts_of(PGconn *pg, const char *id, struct clinical_account_list *l)
{
    Identity__ClinicalGetAccountsRequest in = IDENTITY__CLINICAL_GET_ACCOUNTS_REQUEST__INIT;
    char *ids[1] = {(char *)id};

    in.n_user_ids = 1;
    in.user_ids = ids;
    return accounts_by(pg, &in, l);
}

/* r as a ClinicalAccount in m; its role names (strings cm_xstrdup'd) are
 * freed with account_msg_release. */
static void account_msg(const struct clinical_account_rec *r, Identity__ClinicalAccount *m)
{
    json_t *roles = json_loads(r->roles, 0, NULL);
    size_t n = json_is_array(roles) ? json_array_size(roles) : 0;

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
    m->n_role_names = n;
    m->role_names = n ? cm_xcalloc(n, sizeof *m->role_names) : NULL;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(roles, i));
        m->role_names[i] = cm_xstrdup(s ? s : "");
    }
    json_decref(roles);
}

static void account_msg_release(Identity__ClinicalAccount *m)
{
    for (size_t i = 0; i < m->n_role_names; i++)
        free(m->role_names[i]);
    free(m->role_names);
}

/* The packed ClinicalGetAccountsReply of l (rows without an account left
 * out; the organization of the first row). */
static uint8_t *accounts_reply(const struct clinical_account_list *l, size_t *out_len)
{
    Identity__ClinicalGetAccountsReply reply = IDENTITY__CLINICAL_GET_ACCOUNTS_REPLY__INIT;
    Identity__ClinicalAccount *ms = cm_xcalloc(l->n + 1, sizeof *ms);
    Identity__ClinicalAccount **ptrs = cm_xcalloc(l->n + 1, sizeof *ptrs);
    uint8_t *payload;
    size_t n = 0;

    if (l->n) {
        reply.organization_id = (char *)l->items[0].org_id;
        reply.organization_name = (char *)l->items[0].org_name;
    }
    for (size_t i = 0; i < l->n; i++) {
        if (!l->items[i].user_id[0])
            continue;
        account_msg(&l->items[i], &ms[n]);
        ptrs[n] = &ms[n];
        n++;
    }
    reply.n_accounts = n;
    reply.accounts = ptrs;
    payload = cm_pack(&reply.base, out_len);
    for (size_t i = 0; i < n; i++)
        account_msg_release(&ms[i]);
    free(ms);
    free(ptrs);
    return payload;
}

/* Answers the account id as a ClinicalAccount; CM_ENOTFOUND when none. */
static cm_err answer_account(struct cm_worker *w, const char *id, uint8_t **out_payload,
                             size_t *out_len)
{
    struct clinical_account_list l = {0};
    Identity__ClinicalAccount m;
    cm_err err = accounts_of(w->pg, id, &l);

    if (err == CM_OK && l.n != 1)
        err = cm_rpc_fail(w, CM_ENOTFOUND, "no such account");
    if (err == CM_OK) {
        account_msg(&l.items[0], &m);
        *out_payload = cm_pack(&m.base, out_len);
        account_msg_release(&m);
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
    cm_err err = accounts_of(w->pg, in->user_id, &l);

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
    struct clinical_account_list l = {0};
    cm_err err = CM_OK;

    in = identity__clinical_get_accounts_request__unpack(NULL, req->payload.len,
                                                         req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ClinicalGetAccountsRequest");
    if (in->n_user_ids + in->n_usernames + in->n_emails > CLINICAL_MAX_ROWS)
        err = cm_rpc_fail(w, CM_ETOOBIG, "at most %d names", CLINICAL_MAX_ROWS);
    else if (in->organization_id[0] && !cm_uuid_valid(in->organization_id))
        err = cm_rpc_fail(w, CM_ENOTFOUND, "no such organization");
    if (err == CM_OK)
        err = accounts_by(w->pg, in, &l);
    if (err == CM_ENOTFOUND)
        cm_rpc_fail(w, err, "no such organization");
    else if (err != CM_OK && !w->rpc_detail[0])
        cm_rpc_fail(w, err, "the accounts could not be read");
    if (err == CM_OK)
        *out_payload = accounts_reply(&l, out_len);
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
