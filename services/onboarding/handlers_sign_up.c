/* handlers_sign_up.c: the sign-up journey (#129, #17). A person signs up
 * with an organization code: onboarding records the sign-up first (with
 * the account id it chose), then identity creates the unconfirmed account
 * with that id (idempotent) and messaging sends a 6-digit code (stored
 * hashed); a lost reply leaves a pending request that a retry or the
 * sweeper finishes (sign_up_flow.h). Confirming with the code registers the
 * account and can start a session at once. Sends, wrong codes and lookups
 * are limited per username and per client address (store_limits.h). Codes
 * are never logged. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agreements.h"
#include "cm_body.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "codes.h"
#include "enrollment_schema.h"
#include "handlers.h"
#include "input.h"
#include "peers.h"
#include "sign_up_flow.h"
#include "store.h"
#include "store_limits.h"
#include "request_flow.h"
#include "request_grants.h"
#include "validate.h"

#define MAX_ATTEMPTS 5   /* wrong codes before the code is dropped (LIMIT_WRONG an hour per user) */

static const char *const genders[] = {"female", "male", "other", "pnta", "unknown", NULL};
static const char *const locales[] = {"en_US", "es_US", NULL};
static const char *const channels[] = {"email", "sms", NULL};
static const char *const set_usernames[] = {"email", "phone", NULL};

/* A sign-up body, read and checked. Strings borrow from the body, except
 * the JSON texts, which it owns (sign_up_form_release). */
struct sign_up_form {
    const char *first_name, *last_name, *code, *password, *username, *email, *birth_date;
    const char *gender, *locale, *set_username, *source, *tz, *phone, *preferred_name;
    const char *referral_code;
    int auto_confirm, auto_sign_up;
    char *enrollment_data, *notifications, *agreements;
    const char *channel, *to; /* where the code goes */
};

static void sign_up_form_release(struct sign_up_form *f)
{
    free(f->enrollment_data);
    free(f->notifications);
    free(f->agreements);
}

/* Reads and checks body into f. */
static cm_err read_sign_up(struct cm_req *rq, const json_t *body, struct sign_up_form *f)
{
    cm_err err;

    memset(f, 0, sizeof *f);
    err = cm_json_str(rq, body, "", "first-name", 1, 0, 255, &f->first_name);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "last-name", 1, 0, 255, &f->last_name);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "organization-code", 1, 0, CODE_ID_MAX, &f->code);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "password", 1, 0, 255, &f->password);
    if (err == CM_OK)
        err = input_checked_str(rq, body, "", "username", 1, 255, NULL, NULL, &f->username);
    if (err == CM_OK)
        err = input_checked_str(rq, body, "", "email", 0, 255, validate_email,
                                "an email address", &f->email);
    if (err == CM_OK)
        err = input_checked_str(rq, body, "", "birth-date", 0, 10, validate_date,
                                "a date (YYYY-MM-DD)", &f->birth_date);
    if (err == CM_OK)
        err = input_enum(rq, body, "", "gender", genders, &f->gender);
    if (err == CM_OK)
        err = input_enum(rq, body, "", "locale", locales, &f->locale);
    if (err == CM_OK)
        err = input_enum(rq, body, "", "set-username", set_usernames, &f->set_username);
    if (err == CM_OK)
        err = input_enum(rq, body, "", "source", channels, &f->source);
    if (err == CM_OK)
        err = input_checked_str(rq, body, "", "tz", 0, 64, validate_tz, "a time zone name",
                                &f->tz);
    if (err == CM_OK)
        err = input_checked_str(rq, body, "", "contact-phone-mobile", 0, 30, validate_e164,
                                "an E.164 phone number (+ and 8 to 15 digits)", &f->phone);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "preferred-name", 0, 1, 255, &f->preferred_name);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "referral-code", 0, 1, 255, &f->referral_code);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "auto-confirm", 0, 0, &f->auto_confirm);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "auto-sign-up", 0, 0, &f->auto_sign_up);
    if (err == CM_OK)
        err = input_object_text(rq, body, "", "enrollment-data", &f->enrollment_data);
    if (err == CM_OK)
        err = input_string_array(rq, body, "", "notifications", 2, 16, channels,
                                 &f->notifications);
    if (err == CM_OK)
        err = input_string_array(rq, body, "", "service-document-agreements", 100, 64, NULL,
                                 &f->agreements);
    if (err != CM_OK)
        return err;
    /* where the code goes: the channel of source, to the address given for
     * it, else to the username when it is one */
    f->channel = f->source ? f->source : "email";
    if (!strcmp(f->channel, "email")) {
        f->to = f->email ? f->email : validate_email(f->username) ? f->username : NULL;
        if (!f->to)
            return cm_fail_at(rq, CM_EINVAL, "/email", NULL,
                              "email is required to send the confirmation code "
                              "(or a username that is an email address)");
    } else {
        f->to = f->phone ? f->phone : validate_e164(f->username) ? f->username : NULL;
        if (!f->to)
            return cm_fail_at(rq, CM_EINVAL, "/contact-phone-mobile", NULL,
                              "contact-phone-mobile is required to send the confirmation code "
                              "by sms (or a username that is an E.164 number)");
    }
    return CM_OK;
}

/* The JSON pointer of the sign-up member an identity CreateAccount detail
 * is about; the password (the policy) unless the detail names another. */
static const char *create_pointer(const char *detail)
{
    static const struct {
        const char *word, *pointer;
    } map[] = {{"password", "/password"},   {"username", "/username"},
               {"email", "/email"},         {"phone", "/contact-phone-mobile"},
               {"birth", "/birth-date"},    {"tz", "/tz"},
               {"time zone", "/tz"},        {"locale", "/locale"},
               {"gender", "/gender"},       {"first", "/first-name"},
               {"last", "/last-name"},      {"preferred", "/preferred-name"},
               {"organization", "/organization-code"}, {"role", "/organization-code"}};

    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strstr(detail, map[i].word))
            return map[i].pointer;
    return "/password";
}

/* 201 {"account-type": account_type}. */
static void respond_account_type(struct cm_req *rq, struct cm_resp *out, const char *account_type)
{
    cm_resp_json(out, rq, 201, json_pack("{s:s}", "account-type", account_type));
}

/* The client's address (from the edge), the key of its lookup limit. */
static const char *client_addr(const struct cm_req *rq)
{
    const char *a = rq->http->remote_addr;
    return a && a[0] ? a : "unknown";
}

/* The limit of anonymous lookups (sign-up, confirm-sign-up) per client
 * address: 429 with Retry-After past SIGN_UP_ADDR_LIMIT a minute. */
static cm_err take_addr_limit(struct cm_req *rq)
{
    int retry = 0;
    cm_err err = store_limit_take(rq->w->pg, LIMIT_KIND_ADDR, client_addr(rq),
                                  rq->w->cfg->sign_up_addr_limit, LIMIT_ADDR_WINDOW_S, 1, &retry);

    if (err == CM_ELIMIT)
        return cm_fail_retry(rq, err, retry,
                             "too many sign-up requests from this address; retry in %d s", retry);
    if (err != CM_OK)
        return cm_fail(rq, err, "the request could not be checked, retry later");
    return CM_OK;
}

/* s (lower-cased) into out (256 bytes). */
static void lower_into(char *out, const char *s)
{
    size_t i = 0;
    for (; s[i] && i < 255; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

/* Reads request id (no lock kept) into *out. */
static cm_err read_request(PGconn *pg, const char *id, struct sign_up *out)
{
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_sign_up_lock_id(pg, id, out);
    cm_pg_rollback(pg);
    return err;
}

/* Steps 2 and 3 of the flow for request s, whose intent is recorded: the
 * account (identity.rpc.CreateAccount, idempotent), then a code. When
 * identity refuses, nothing was created and the intent is undone; when it
 * does not answer, the request stays pending for a retry or the sweeper.
 * first: the call of the request that recorded the intent (the only one the
 * test fault ONBOARDING_TEST_DROP_CREATE_REPLY may hit). */
static cm_err finish(struct cm_req *rq, struct cm_resp *out, const struct sign_up *s,
                     const char *password, int first)
{
    const char *drop = rq->w->cfg->onboarding_test_drop_create_reply;
    char account_type[64] = "", detail[PEER_DETAIL_MAX] = "";
    int drop_reply = first && drop && drop[0] && !strncmp(s->username, drop, strlen(drop));
    cm_err err = flow_create_account(rq->w, s, password, drop_reply, account_type, detail);

    if (err == CM_EINVAL || err == CM_ECONFLICT || err == CM_ENOTFOUND) {
        if (store_sign_up_undo(rq->w->pg, s->id) != CM_OK)
            cm_warn("sign-up %s: refused by identity, but could not be undone", s->id);
        if (err == CM_EINVAL)
            return cm_fail_at(rq, err, create_pointer(detail), NULL, "%s",
                              detail[0] ? detail : "the account was refused");
        if (err == CM_ECONFLICT)
            return cm_fail_at(rq, err, "/username", NULL, "this username is taken");
        return cm_fail_at(rq, err, "/organization-code", NULL, "no such organization code");
    }
    if (err != CM_OK) {
        cm_info("sign-up %s: pending, identity did not answer (%s)", s->id, cm_err_name(err));
        return cm_fail(rq, err,
                       "the sign-up is saved but not finished: send the same sign-up again "
                       "to finish it");
    }
    err = flow_account_created(rq->w, s->id, account_type);
    if (err != CM_OK)
        return cm_fail(rq, err == CM_ENOTFOUND ? CM_EINTERNAL : err,
                       "the confirmation code could not be sent, sign up again later");
    respond_account_type(rq, out, account_type);
    return CM_OK;
}

/* A sign-up for a username that has a request already. Registered: the
 * username is taken. Pending (the account may not exist yet): the same
 * person (same password) resumes it with the details of the first sign-up;
 * anyone else is told the username is taken. Account created: a new code,
 * sent where the first one went (not to an address of this request: the
 * caller may not be that person), at most LIMIT_SENDS an hour. */
static cm_err sign_up_existing(struct cm_req *rq, struct cm_resp *out,
                               const struct sign_up_form *f, const char *username)
{
    struct sign_up s;
    int retry = 0;
    cm_err err = cm_pg_begin(rq->w->pg);

    if (err == CM_OK)
        err = store_sign_up_lock(rq->w->pg, username, &s);
    cm_pg_rollback(rq->w->pg);
    if (err == CM_OK && s.registered)
        err = CM_ECONFLICT;
    if (err == CM_OK && s.step == STEP_PENDING &&
        !(s.has_password_check && codes_match(f->password, s.user_id, s.password_check)))
        err = CM_ECONFLICT;
    if (err == CM_ECONFLICT || err == CM_ENOTFOUND)
        return cm_fail_at(rq, CM_ECONFLICT, "/username", NULL, "this username is taken");
    if (err != CM_OK)
        return cm_fail(rq, err, "the sign-up could not be read, retry later");
    if (s.step == STEP_PENDING) {
        cm_info("sign-up %s: resumed by the same person", s.id);
        return finish(rq, out, &s, f->password, 0);
    }
    err = store_limit_take(rq->w->pg, LIMIT_KIND_SENT, username, LIMIT_SENDS,
                           LIMIT_USER_WINDOW_S, 0, &retry);
    if (err == CM_ELIMIT)
        return cm_fail_retry(rq, err, retry,
                             "too many confirmation codes were sent for this username; retry in "
                             "%d s",
                             retry);
    if (err == CM_OK)
        err = flow_send_code(rq->w, s.id);
    if (err == CM_ENOTFOUND) /* confirmed meanwhile */
        return cm_fail_at(rq, CM_ECONFLICT, "/username", NULL, "this username is taken");
    if (err != CM_OK)
        return cm_fail(rq, err, "the confirmation code could not be sent, retry later");
    respond_account_type(rq, out, s.account_type);
    return CM_OK;
}

/* enrollment-data (JSON text, NULL: not given, checked as {}) against the
 * code's enrollment-schema, when it has one (enrollment_schema.h): 400 at
 * /enrollment-data/<where> naming what failed. */
static cm_err check_enrollment(struct cm_req *rq, const struct org_code *c, const char *data)
{
    json_t *schema, *d;
    char where[128], why[128];
    int ok;

    if (!c->enrollment_schema)
        return CM_OK;
    schema = json_loads(c->enrollment_schema, JSON_DECODE_ANY, NULL);
    d = data ? json_loads(data, 0, NULL) : json_object();
    ok = !schema || !d || enrollment_schema_valid(schema, d, where, sizeof where, why, sizeof why);
    json_decref(schema);
    json_decref(d);
    if (ok)
        return CM_OK;
    {
        char pointer[160];
        snprintf(pointer, sizeof pointer, "/enrollment-data%s", where);
        return cm_fail_at(rq, CM_EINVAL, pointer, NULL,
                          "enrollment-data%s %s (the organization code's enrollment-schema)",
                          where, why);
    }
}

cm_err sign_up(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {
        "first-name", "last-name", "organization-code", "password", "username", "auto-confirm",
        "auto-sign-up", "birth-date", "contact-phone-mobile", "email", "enrollment-data",
        "gender", "locale", "notifications", "preferred-name", "referral-code",
        "service-document-agreements", "set-username", "source", "tz", NULL};
    PGconn *pg = rq->w->pg;
    struct sign_up_form f;
    struct sign_up_new n = {0};
    struct sign_up s;
    struct org_code c = {0};
    struct org_facts org;
    json_t *body = NULL;
    uint8_t check[CONFIRM_HASH_BYTES];
    char user_id[37], id[37], username[256];
    int retry = 0, refused = 0;
    cm_err err;

    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    err = read_sign_up(rq, body, &f);
    if (err == CM_OK)
        err = take_addr_limit(rq);
    if (err != CM_OK)
        goto done;
    /* the code: unknown → 404, expired → 400 */
    err = validate_code_id(f.code) ? store_code_get(pg, f.code, &c) : CM_ENOTFOUND;
    if (err == CM_OK)
        err = peers_get_organization(rq->w, c.organization_id, &org);
    if (err == CM_OK && !org.is_active)
        err = CM_ENOTFOUND;
    if (err == CM_ENOTFOUND) {
        err = cm_fail_at(rq, err, "/organization-code", NULL, "no such organization code");
        goto done;
    }
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the organization code could not be read, retry later");
        goto done;
    }
    if (c.expired) {
        err = cm_fail_at(rq, CM_EINVAL, "/organization-code", NULL,
                         "this organization code has expired");
        goto done;
    }
    err = check_enrollment(rq, &c, f.enrollment_data);
    if (err != CM_OK)
        goto done;
    /* the current required service documents of the code's organization
     * must be agreed to: 403 naming them otherwise */
    err = agreements_sign_up_gate(rq, out, c.organization_id, f.agreements, &refused);
    if (err != CM_OK || refused)
        goto done;
    lower_into(username, f.username);
    err = store_limit_take(pg, LIMIT_KIND_SIGN_UP, username, LIMIT_SIGN_UPS, LIMIT_USER_WINDOW_S,
                           1, &retry);
    if (err == CM_ELIMIT) {
        err = cm_fail_retry(rq, err, retry, "too many sign-ups for this username; retry in %d s",
                            retry);
        goto done;
    }
    if (err != CM_OK) {
        err = cm_fail(rq, err, "the sign-up could not be saved, retry later");
        goto done;
    }
    /* 1. the intent, with the account's id, before identity is asked */
    codes_new_uuid(user_id);
    codes_hash(f.password, user_id, check);
    n.user_id = user_id;
    n.username = f.username;
    n.organization_code_id = c.id;
    n.organization_id = c.organization_id;
    n.account_type = "patient";
    n.email = f.email ? f.email : validate_email(f.username) ? f.username : "";
    n.first_name = f.first_name;
    n.last_name = f.last_name;
    n.birth_date = f.birth_date ? f.birth_date : "";
    n.locale = f.locale ? f.locale : "en_US";
    n.tz = f.tz ? f.tz : "";
    n.phone = f.phone ? f.phone : "";
    n.preferred_name = f.preferred_name ? f.preferred_name : "";
    n.gender = f.gender ? f.gender : "";
    n.enrollment_data = f.enrollment_data;
    n.notifications = f.notifications;
    n.service_document_agreements = f.agreements;
    n.referral_code = f.referral_code ? f.referral_code : "";
    n.auto_sign_up = f.auto_sign_up;
    n.channel = f.channel;
    n.recipient = f.to;
    n.password_check = check;
    err = store_sign_up_insert(pg, &n, id);
    sodium_memzero(check, sizeof check);
    if (err == CM_ECONFLICT) {
        err = sign_up_existing(rq, out, &f, username);
        goto done;
    }
    if (err == CM_OK) {
        /* the agreements, under the account id chosen above */
        err = agreements_record(rq, user_id, f.agreements);
        if (err != CM_OK) {
            if (store_sign_up_undo(pg, id) != CM_OK)
                cm_warn("sign-up %s: agreements refused, but could not be undone", id);
            goto done;
        }
    }
    if (err == CM_OK)
        err = read_request(pg, id, &s);
    if (err != CM_OK) {
        err = cm_fail(rq, err == CM_EINVAL ? CM_EINVAL : err,
                      "the sign-up could not be saved, retry later");
        goto done;
    }
    cm_info("sign-up %s: recorded with organization code %s", id, c.id);
    /* 2. the account, 3. a code */
    err = finish(rq, out, &s, f.password, 1);
done:
    store_code_release(&c);
    sign_up_form_release(&f);
    json_decref(body);
    return err;
}

/* The login-error member: null, or the failure of IssueTokens in-band. */
static json_t *login_error(cm_err err, const char *detail)
{
    if (err == CM_OK)
        return json_null();
    return json_pack("{s:s, s:s, s:i}", "code", cm_err_name(err), "detail",
                     detail[0] ? detail : "tokens could not be issued", "status",
                     cm_err_http_status(err));
}

/* What every failed confirmation says, whether the username has a sign-up
 * or not, the code was wrong, used, voided or expired: nothing tells a
 * stranger which usernames exist. */
#define CONFIRM_REFUSED                                                                            \
    "wrong or expired confirmation code, or no sign-up waiting for it: check it, or sign up "     \
    "again to get a new one"

cm_err confirm_sign_up(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"confirmation-code", "username", "login", "tz", NULL};
    static const uint8_t no_hash[CONFIRM_HASH_BYTES] = {0};
    PGconn *pg = rq->w->pg;
    const char *code, *username, *tz;
    struct sign_up s;
    json_t *body = NULL, *reply, *tokens = NULL;
    char account_type[64] = "", detail[PEER_DETAIL_MAX] = "", occurred_at[STORE_TIME_LEN];
    char name[256];
    int login = 0, found, usable, match, retry = 0, claimed = 0, invited = 0;
    cm_err err, login_err = CM_OK;

    err = cm_req_json_object(rq, allowed, &body);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "confirmation-code", 1, 0, 20, &code);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "username", 1, 0, 255, &username);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "login", 0, 0, &login);
    if (err == CM_OK)
        err = input_checked_str(rq, body, "", "tz", 0, 64, validate_tz, "a time zone name", &tz);
    if (err == CM_OK)
        err = take_addr_limit(rq);
    if (err != CM_OK)
        goto done;
    lower_into(name, username);
    /* wrong codes per username, known or not, across codes */
    err = store_limit_take(pg, LIMIT_KIND_WRONG, name, LIMIT_WRONG, LIMIT_USER_WINDOW_S, 0,
                           &retry);
    if (err == CM_ELIMIT) {
        err = cm_fail_retry(rq, err, retry,
                            "too many wrong confirmation codes for this username; retry in %d s",
                            retry);
        goto done;
    }
    if (err == CM_OK)
        err = cm_pg_begin(pg);
    if (err == CM_OK) {
        err = store_sign_up_lock(pg, name, &s);
        found = err == CM_OK;
        if (err == CM_ENOTFOUND) {
            memset(&s, 0, sizeof s);
            err = CM_OK;
        }
    }
    if (err != CM_OK) {
        cm_pg_rollback(pg);
        err = cm_fail(rq, err, "the confirmation could not be checked, retry later");
        goto done;
    }
    /* the same work whether the username is known or not */
    usable = found && !s.registered && s.step != STEP_PENDING && s.has_code && !s.code_expired;
    match = codes_match(code, usable ? s.user_id : "00000000-0000-0000-0000-000000000000",
                        usable ? s.code_hash : no_hash) &&
            usable;
    if (!match) {
        err = store_sign_up_wrong_code(pg, found ? s.id : NULL, name, MAX_ATTEMPTS);
        err = cm_pg_end(pg, err);
        if (err != CM_OK) {
            err = cm_fail(rq, err, "the confirmation could not be checked, retry later");
        } else {
            err = cm_fail_at(rq, CM_EINVAL, "/confirmation-code", NULL, CONFIRM_REFUSED);
        }
        goto done;
    }
    /* right code: identity confirms (idempotent) while the row is locked,
     * then the request is registered with its event */
    err = peers_confirm_account(rq->w, s.user_id, tz ? tz : "", account_type, detail);
    if (err == CM_OK)
        err = store_sign_up_confirmed(pg, s.id, !strcmp(s.channel, "email"), occurred_at);
    if (err == CM_OK)
        err = flow_event(pg, "confirmed", &s, occurred_at);
    /* a referral code that is an onboarding request's code claims it */
    if (err == CM_OK)
        err = request_flow_claims(pg, s.id, &claimed, &invited);
    err = cm_pg_end(pg, err);
    if (err != CM_OK) {
        if (err == CM_EINVAL) /* identity refused the tz; the code stays valid */
            err = cm_fail_at(rq, err, "/tz", NULL, "%s", detail[0] ? detail : "tz is invalid");
        else
            err = cm_fail(rq, err == CM_ENOTFOUND ? CM_EINTERNAL : err,
                          "the sign-up could not be confirmed, retry later");
        goto done;
    }
    cm_info("sign-up %s: confirmed%s%s", s.id, claimed ? ", onboarding request claimed" : "",
            invited ? ", registration invitation claimed" : "");
    /* a claimed request's groups and roles; one that fails now stays due
     * for the sweeper (request_grants.h) */
    if (claimed)
        (void)request_grants_apply(rq->w, s.user_id, REQUEST_GRANTS_BATCH);
    if (login)
        login_err = peers_issue_tokens(rq->w, s.user_id, &tokens, detail);
    reply = tokens ? tokens : json_object();
    json_object_set_new(reply, "account-type",
                        json_string(account_type[0] ? account_type : s.account_type));
    json_object_set_new(reply, "login-error", login_error(login_err, detail));
    cm_resp_json(out, rq, 201, reply);
done:
    json_decref(body);
    return err;
}
