/* accounts_rpc.c: the typed RPCs that create and confirm accounts for
 * onboarding's sign-up journey: identity.rpc.CreateAccount and
 * identity.rpc.ConfirmAccount (proto/identity.proto). Both are idempotent:
 * a CreateAccount carrying the caller's user_id answers the account an
 * earlier call with that id made (its reply lost) instead of a second one,
 * and only_existing looks without creating. Failures carry a
 * detail for onboarding's client (cm_rpc_fail); passwords are never logged. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cm_body.h"
#include "cm_jsonapi.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "handlers.h"
#include "identity.pb-c.h"
#include "identity_state.h"
#include "password_hash.h"
#include "password_policy.h"
#include "store.h"

#define DEFAULT_ROLE "patient"
#define DEFAULT_LOCALE "en_US"

/* CM_EINVAL with a detail unless s has at most max characters (min 1 when
 * required) of valid UTF-8. */
static cm_err check_text(struct cm_worker *w, const char *name, const char *s, size_t max,
                         int required)
{
    size_t chars;

    if (!cm_utf8_valid((const unsigned char *)s, strlen(s)))
        return cm_rpc_fail(w, CM_EINVAL, "%s must be UTF-8", name);
    chars = cm_body_utf8_chars(s);
    if ((required && chars == 0) || chars > max)
        return cm_rpc_fail(w, CM_EINVAL, "%s must have %d to %zu characters", name,
                           required ? 1 : 0, max);
    return CM_OK;
}

/* Every field of a CreateAccountRequest, checked; the policy's verdict on
 * the password included. */
static cm_err check_request(struct cm_worker *w, const Identity__CreateAccountRequest *in)
{
    struct pw_strength st;
    cm_err err = check_text(w, "username", in->username, 255, 1);

    if (err == CM_OK && !users_username_valid(in->username))
        err = cm_rpc_fail(w, CM_EINVAL, "username must not contain spaces");
    if (err == CM_OK)
        err = check_text(w, "password", in->password, PW_MAX_CHARS, 1);
    if (err == CM_OK) {
        pw_strength_rate(in->password, strlen(in->password), &st);
        if (!pw_policy_accepts(&st))
            err = cm_rpc_fail(w, CM_EINVAL, "password is too weak (%s)%s%s", st.label,
                              st.nsuggestions ? ": " : "",
                              st.nsuggestions ? st.suggestions[0] : "");
    }
    if (err == CM_OK)
        err = check_text(w, "email", in->email, 255, 0);
    if (err == CM_OK && in->email[0] && !users_email_valid(in->email))
        err = cm_rpc_fail(w, CM_EINVAL, "email must be an email address");
    if (err == CM_OK)
        err = check_text(w, "first_name", in->first_name, 255, 0);
    if (err == CM_OK)
        err = check_text(w, "last_name", in->last_name, 255, 0);
    if (err == CM_OK)
        err = check_text(w, "preferred_name", in->preferred_name, 255, 0);
    if (err == CM_OK)
        err = check_text(w, "gender", in->gender, 64, 0);
    if (err == CM_OK && in->phone[0] && !users_e164_valid(in->phone))
        err = cm_rpc_fail(w, CM_EINVAL, "phone must be an E.164 number");
    if (err == CM_OK && in->locale[0] && !users_locale_valid(in->locale))
        err = cm_rpc_fail(w, CM_EINVAL, "locale must look like en_US");
    if (err == CM_OK)
        err = check_text(w, "tz", in->tz, 64, 0);
    if (err == CM_OK && in->tz[0] && store_tz_valid(w->pg, in->tz) != CM_OK)
        err = cm_rpc_fail(w, CM_EINVAL, "tz must be a time zone name");
    if (err == CM_OK && !cm_uuid_valid(in->organization_id))
        err = cm_rpc_fail(w, CM_EINVAL, "organization_id must be a uuid");
    if (err == CM_OK)
        err = check_text(w, "role", in->role, 255, 0);
    if (err == CM_OK && in->birth_date[0] && strlen(in->birth_date) != 10)
        err = cm_rpc_fail(w, CM_EINVAL, "birth_date must be YYYY-MM-DD");
    return err;
}

/* (handlers_users.h) */
cm_err accounts_created_events(PGconn *pg, const char *user_id, const char *org,
                             const char *role_id, const char *role)
{
    Identity__MembershipChanged m = IDENTITY__MEMBERSHIP_CHANGED__INIT;
    Identity__RoleMembershipChanged r = IDENTITY__ROLE_MEMBERSHIP_CHANGED__INIT;
    char occurred_at[USER_TIME_LEN];
    struct user_facts facts = {0};
    cm_err err = users_event(pg, user_id, "created");

    if (err == CM_OK)
        err = store_user_facts(pg, user_id, &facts);
    if (err != CM_OK)
        return err;
    snprintf(occurred_at, sizeof occurred_at, "%s", facts.items[0].occurred_at);
    store_user_facts_free(&facts);
    m.user_id = (char *)user_id;
    m.organization_id = (char *)org;
    m.change = "added";
    m.occurred_at = occurred_at;
    err = cm_outbox_add(pg, IDENTITY_EVT_MEMBERSHIP "added", &m.base, NULL);
    r.user_id = (char *)user_id;
    r.role_id = (char *)role_id;
    r.role_name = (char *)role;
    r.organization_id = (char *)org;
    r.change = "added";
    r.occurred_at = occurred_at;
    if (err == CM_OK)
        err = cm_outbox_add(pg, IDENTITY_EVT_ROLE "added", &r.base, NULL);
    return err;
}

/* The account in->user_id when it exists already (an earlier call with the
 * same id committed, its reply lost): its id and type into user_id (40
 * bytes) and account_type (256 bytes). CM_ENOTFOUND when there is none;
 * CM_ECONFLICT when the id is another username's (unless only looking). */
static cm_err existing(struct cm_worker *w, const Identity__CreateAccountRequest *in,
                       char *user_id, char *account_type)
{
    char username[256], wanted[256];
    cm_err err = store_account_by_id(w->pg, in->user_id, username, account_type);
    size_t i;

    if (err != CM_OK)
        return err;
    for (i = 0; in->username[i] && i + 1 < sizeof wanted; i++)
        wanted[i] = (char)tolower((unsigned char)in->username[i]);
    wanted[i] = '\0';
    if (!in->only_existing && strcmp(username, wanted))
        return cm_rpc_fail(w, CM_ECONFLICT, "user_id belongs to another account");
    snprintf(user_id, 40, "%s", in->user_id);
    for (i = 0; user_id[i]; i++)
        user_id[i] = (char)tolower((unsigned char)user_id[i]);
    return CM_OK;
}

/* Creates the account in one transaction with its events; the id to
 * user_id (40 bytes). */
static cm_err create(struct cm_worker *w, const Identity__CreateAccountRequest *in,
                     const char *role, const char *hash, char *user_id)
{
    struct account_new a = {in->username,   hash,          in->email,
                            in->first_name, in->last_name, in->phone,
                            in->locale[0] ? in->locale : DEFAULT_LOCALE,
                            in->tz,         in->organization_id,
                            NULL,           in->birth_date, in->preferred_name,
                            in->gender,     in->user_id};
    char role_id[40];
    cm_err err = store_org_role(w->pg, in->organization_id, role, role_id);

    if (err == CM_ENOTFOUND)
        return cm_rpc_fail(w, err, "no such organization");
    if (err == CM_EINVAL)
        return cm_rpc_fail(w, err, "the organization has no role \"%s\"", role);
    if (err != CM_OK)
        return err;
    a.role_id = role_id;
    err = cm_pg_begin(w->pg);
    if (err == CM_OK) {
        err = store_account_create(w->pg, &a, user_id);
        if (err == CM_ECONFLICT)
            cm_rpc_fail(w, err, "username is taken");
        else if (err == CM_ENOTFOUND)
            cm_rpc_fail(w, err, "no such organization");
        else if (err == CM_EINVAL)
            cm_rpc_fail(w, err, "birth_date must be a valid YYYY-MM-DD date");
    }
    if (err == CM_OK)
        err = accounts_created_events(w->pg, user_id, in->organization_id, role_id, role);
    err = cm_pg_end(w->pg, err);
    return err;
}

cm_err rpc_create_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                          uint8_t **out_payload, size_t *out_len)
{
    Identity__CreateAccountRequest *in;
    Identity__CreateAccountReply reply = IDENTITY__CREATE_ACCOUNT_REPLY__INIT;
    char hash[PW_HASH_MAX] = "", user_id[40] = "", account_type[256] = "";
    const char *role;
    cm_err err = CM_ENOTFOUND;

    in = identity__create_account_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed CreateAccountRequest");
    role = in->role[0] ? in->role : DEFAULT_ROLE;
    /* idempotent: the account of an earlier call with this id, if any */
    if (in->user_id[0] && !cm_uuid_valid(in->user_id))
        err = cm_rpc_fail(w, CM_EINVAL, "user_id must be a uuid");
    else if (!in->user_id[0] && in->only_existing)
        err = cm_rpc_fail(w, CM_EINVAL, "only_existing needs a user_id");
    else if (in->user_id[0])
        err = existing(w, in, user_id, account_type);
    if (err == CM_ENOTFOUND && in->only_existing)
        err = cm_rpc_fail(w, CM_ENOTFOUND, "no such account");
    else if (err == CM_ENOTFOUND) {
        err = check_request(w, in);
        if (err == CM_OK)
            err = pw_hash(identity_state_of(w)->hashers, w->cfg, in->password, hash);
        if (err == CM_OK)
            err = create(w, in, role, hash, user_id);
        /* a concurrent call with the same id won the insert */
        if (err == CM_ECONFLICT && in->user_id[0] &&
            existing(w, in, user_id, account_type) == CM_OK)
            err = CM_OK;
        else if (err == CM_OK)
            snprintf(account_type, sizeof account_type, "%s", role);
    }
    if (err == CM_OK) {
        reply.user_id = user_id;
        reply.account_type = account_type;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    sodium_memzero(hash, sizeof hash);
    identity__create_account_request__free_unpacked(in, NULL);
    return err;
}

cm_err rpc_confirm_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                           uint8_t **out_payload, size_t *out_len)
{
    Identity__ConfirmAccountRequest *in;
    Identity__ConfirmAccountReply reply = IDENTITY__CONFIRM_ACCOUNT_REPLY__INIT;
    char account_type[256] = "";
    int changed = 0;
    cm_err err;

    in = identity__confirm_account_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed ConfirmAccountRequest");
    err = cm_uuid_valid(in->user_id) ? CM_OK : cm_rpc_fail(w, CM_ENOTFOUND, "no such user");
    if (err == CM_OK && in->tz[0] &&
        (strlen(in->tz) > 64 || store_tz_valid(w->pg, in->tz) != CM_OK))
        err = cm_rpc_fail(w, CM_EINVAL, "tz must be a time zone name");
    if (err == CM_OK)
        err = cm_pg_begin(w->pg);
    if (err == CM_OK) {
        err = store_account_confirm(w->pg, in->user_id, in->tz, &changed, account_type);
        if (err == CM_ENOTFOUND)
            cm_rpc_fail(w, err, "no such user");
    }
    if (err == CM_OK && changed)
        err = users_event(w->pg, in->user_id, "confirmed");
    err = cm_pg_end(w->pg, err);
    if (err == CM_OK) {
        reply.account_type = account_type;
        *out_payload = cm_pack(&reply.base, out_len);
    }
    identity__confirm_account_request__free_unpacked(in, NULL);
    return err;
}
