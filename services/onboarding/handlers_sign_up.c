/* handlers_sign_up.c: the sign-up journey (#129, #17). A person signs up
 * with an organization code: identity creates an unconfirmed account in the
 * code's organization, onboarding keeps a sign-up request with a 6-digit
 * code (stored hashed) and has messaging send the code; confirming with it
 * registers the account and can start a session at once. Codes are never
 * logged. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_body.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "codes.h"
#include "handlers.h"
#include "input.h"
#include "onboarding.pb-c.h"
#include "peers.h"
#include "store.h"
#include "validate.h"

#define MAX_ATTEMPTS 5   /* wrong codes before the code is dropped */
#define SIGN_UP_KIND "sign-up-code"

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

/* Sends code to the request's person through messaging. */
static cm_err send_code(struct cm_req *rq, const char *channel, const char *to,
                        const char *organization_id, const char *org_name, const char *code)
{
    char body[512], detail[PEER_DETAIL_MAX];
    int minutes = rq->w->cfg->code_ttl_s / 60;
    cm_err err;

    snprintf(body, sizeof body,
             "Your confirmation code is %s.\n\nEnter it to finish signing up%s%s. "
             "It is valid for %d minutes.\n",
             code, org_name[0] ? " with " : "", org_name, minutes > 0 ? minutes : 1);
    err = peers_deliver(rq->w, channel, to, "Your sign-up confirmation code", body, SIGN_UP_KIND,
                        organization_id, detail);
    if (err != CM_OK)
        return cm_fail(rq, err == CM_EINVAL ? CM_EINTERNAL : err,
                       "the confirmation code could not be sent, sign up again later");
    return CM_OK;
}

/* Writes event change of sign-up request id in the transaction on pg. */
static cm_err sign_up_event(PGconn *pg, const char *change, const char *id, const char *user_id,
                            const char *organization_id, const char *code_id,
                            const char *occurred_at)
{
    Onboarding__SignUpChanged ev = ONBOARDING__SIGN_UP_CHANGED__INIT;
    char subject[96];

    snprintf(subject, sizeof subject, "%s%s", ONBOARDING_EVT_SIGN_UP, change);
    ev.sign_up_id = (char *)id;
    ev.change = (char *)change;
    ev.user_id = (char *)user_id;
    ev.organization_id = (char *)organization_id;
    ev.organization_code_id = (char *)code_id;
    ev.occurred_at = (char *)occurred_at;
    return cm_outbox_add(pg, subject, &ev.base, NULL);
}

/* 201 {"account-type": account_type}. */
static void respond_account_type(struct cm_req *rq, struct cm_resp *out, const char *account_type)
{
    cm_resp_json(out, rq, 201, json_pack("{s:s}", "account-type", account_type));
}

/* A sign-up for a username whose account exists unconfirmed: a new code
 * for the pending request, sent where the first one went (not to an address
 * of this request: the caller may not be that person). CM_ECONFLICT when
 * there is no pending request (the username is someone's account). */
static cm_err sign_up_again(struct cm_req *rq, struct cm_resp *out, const char *username,
                            const char *org_name)
{
    PGconn *pg = rq->w->pg;
    struct sign_up s;
    uint8_t hash[CONFIRM_HASH_BYTES];
    char code[CONFIRM_CODE_LEN + 1];
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_sign_up_lock(pg, username, &s);
    if (err == CM_OK && s.registered)
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        codes_new_confirmation(code);
        codes_hash(code, s.user_id, hash);
        err = store_sign_up_new_code(pg, s.id, hash, rq->w->cfg->code_ttl_s);
    }
    if (err == CM_OK)
        err = cm_pg_commit(pg);
    if (err != CM_OK)
        cm_pg_rollback(pg);
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, CM_ECONFLICT, "/username", NULL, "this username is taken");
    if (err != CM_OK)
        return cm_fail(rq, err, "the sign-up could not be saved, retry later");
    cm_info("sign-up %s: new confirmation code", s.id);
    err = send_code(rq, s.channel, s.recipient, s.organization_id, org_name, code);
    sodium_memzero(code, sizeof code);
    if (err == CM_OK)
        respond_account_type(rq, out, s.account_type);
    return err;
}

cm_err sign_up(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {
        "first-name", "last-name", "organization-code", "password", "username", "auto-confirm",
        "auto-sign-up", "birth-date", "contact-phone-mobile", "email", "enrollment-data",
        "gender", "locale", "notifications", "preferred-name", "referral-code",
        "service-document-agreements", "set-username", "source", "tz", NULL};
    Identity__CreateAccountRequest acct = IDENTITY__CREATE_ACCOUNT_REQUEST__INIT;
    PGconn *pg = rq->w->pg;
    struct sign_up_form f;
    struct sign_up_new n = {0};
    struct org_code c = {0};
    struct org_facts org;
    json_t *body = NULL;
    uint8_t hash[CONFIRM_HASH_BYTES];
    char user_id[37], account_type[64], detail[PEER_DETAIL_MAX], code[CONFIRM_CODE_LEN + 1] = "";
    char id[37], occurred_at[STORE_TIME_LEN];
    cm_err err;

    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    err = read_sign_up(rq, body, &f);
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
    /* the account */
    acct.username = (char *)f.username;
    acct.password = (char *)f.password;
    acct.email = (char *)(f.email ? f.email : validate_email(f.username) ? f.username : "");
    acct.first_name = (char *)f.first_name;
    acct.last_name = (char *)f.last_name;
    acct.phone = (char *)(f.phone ? f.phone : "");
    acct.locale = (char *)(f.locale ? f.locale : "");
    acct.tz = (char *)(f.tz ? f.tz : "");
    acct.organization_id = c.organization_id;
    acct.role = "patient";
    acct.birth_date = (char *)(f.birth_date ? f.birth_date : "");
    acct.preferred_name = (char *)(f.preferred_name ? f.preferred_name : "");
    acct.gender = (char *)(f.gender ? f.gender : "");
    err = peers_create_account(rq->w, &acct, user_id, account_type, detail);
    if (err == CM_ECONFLICT) {
        err = sign_up_again(rq, out, f.username, org.display_name[0] ? org.display_name : org.name);
        goto done;
    }
    if (err == CM_EINVAL)
        err = cm_fail_at(rq, err, create_pointer(detail), NULL, "%s",
                         detail[0] ? detail : "the account was refused");
    else if (err == CM_ENOTFOUND)
        err = cm_fail_at(rq, err, "/organization-code", NULL, "no such organization code");
    else if (err != CM_OK)
        err = cm_fail(rq, err, "the account could not be created, retry later");
    if (err != CM_OK)
        goto done;
    /* the request, its code and its event */
    codes_new_confirmation(code);
    codes_hash(code, user_id, hash);
    n.user_id = user_id;
    n.username = f.username;
    n.organization_code_id = c.id;
    n.organization_id = c.organization_id;
    n.account_type = account_type;
    n.email = acct.email;
    n.first_name = f.first_name;
    n.last_name = f.last_name;
    n.birth_date = acct.birth_date;
    n.locale = f.locale ? f.locale : "en_US";
    n.tz = acct.tz;
    n.phone = acct.phone;
    n.enrollment_data = f.enrollment_data;
    n.notifications = f.notifications;
    n.service_document_agreements = f.agreements;
    n.referral_code = f.referral_code ? f.referral_code : "";
    n.auto_sign_up = f.auto_sign_up;
    n.channel = f.channel;
    n.recipient = f.to;
    n.code_hash = hash;
    n.code_ttl_s = rq->w->cfg->code_ttl_s;
    err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = store_sign_up_insert(pg, &n, id, occurred_at);
    if (err == CM_OK)
        err = sign_up_event(pg, "created", id, user_id, c.organization_id, c.id, occurred_at);
    if (err == CM_OK)
        err = cm_pg_commit(pg);
    if (err != CM_OK) {
        cm_pg_rollback(pg);
        cm_error("sign-up of user %s could not be saved: %s", user_id, cm_err_name(err));
        err = cm_fail(rq, err == CM_ECONFLICT ? CM_ECONFLICT : err,
                      "the sign-up could not be saved, retry later");
        goto done;
    }
    cm_info("sign-up %s: user %s with organization code %s", id, user_id, c.id);
    err = send_code(rq, f.channel, f.to, c.organization_id,
                    org.display_name[0] ? org.display_name : org.name, code);
    if (err == CM_OK)
        respond_account_type(rq, out, account_type);
done:
    sodium_memzero(code, sizeof code);
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

/* Checks code against the locked request s of the transaction on pg,
 * counting a wrong one; on CM_OK the code is right. Fails with what the
 * client is told (the transaction is committed when an attempt was counted,
 * rolled back otherwise). */
static cm_err check_code(struct cm_req *rq, PGconn *pg, const struct sign_up *s, const char *code)
{
    int attempts = 0;
    cm_err err;

    if (s->registered) {
        cm_pg_rollback(pg);
        return cm_fail_at(rq, CM_ECONFLICT, "/username", NULL,
                          "this sign-up is confirmed already: log in");
    }
    if (!s->has_code) {
        cm_pg_rollback(pg);
        return cm_fail_at(rq, CM_EINVAL, "/confirmation-code", NULL,
                          "this confirmation code no longer works after too many wrong "
                          "attempts: sign up again to get a new one");
    }
    if (s->code_expired) {
        cm_pg_rollback(pg);
        return cm_fail_at(rq, CM_EINVAL, "/confirmation-code", NULL,
                          "this confirmation code has expired: sign up again to get a new one");
    }
    if (codes_match(code, s->user_id, s->code_hash))
        return CM_OK;
    err = store_sign_up_wrong_code(pg, s->id, MAX_ATTEMPTS, &attempts);
    if (err == CM_OK)
        err = cm_pg_commit(pg);
    if (err != CM_OK) {
        cm_pg_rollback(pg);
        return cm_fail(rq, err, "the confirmation could not be checked, retry later");
    }
    cm_info("sign-up %s: wrong confirmation code (%d of %d)", s->id, attempts, MAX_ATTEMPTS);
    if (attempts >= MAX_ATTEMPTS)
        return cm_fail_at(rq, CM_EINVAL, "/confirmation-code", NULL,
                          "wrong confirmation code; after %d wrong attempts it no longer "
                          "works: sign up again to get a new one",
                          MAX_ATTEMPTS);
    return cm_fail_at(rq, CM_EINVAL, "/confirmation-code", NULL,
                      "wrong confirmation code (%d attempts left)", MAX_ATTEMPTS - attempts);
}

cm_err confirm_sign_up(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"confirmation-code", "username", "login", "tz", NULL};
    PGconn *pg = rq->w->pg;
    const char *code, *username, *tz;
    struct sign_up s;
    json_t *body = NULL, *reply, *tokens = NULL;
    char account_type[64] = "", detail[PEER_DETAIL_MAX] = "", occurred_at[STORE_TIME_LEN];
    int login = 0;
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
    if (err != CM_OK)
        goto done;
    err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = store_sign_up_lock(pg, username, &s);
    if (err == CM_ENOTFOUND) {
        cm_pg_rollback(pg);
        err = cm_fail_at(rq, CM_EINVAL, "/confirmation-code", NULL, "wrong confirmation code");
        goto done;
    }
    if (err != CM_OK) {
        cm_pg_rollback(pg);
        err = cm_fail(rq, err, "the confirmation could not be checked, retry later");
        goto done;
    }
    err = check_code(rq, pg, &s, code);
    if (err != CM_OK)
        goto done;
    /* right code: identity confirms (idempotent) while the row is locked,
     * then the request is registered with its event */
    err = peers_confirm_account(rq->w, s.user_id, tz ? tz : "", account_type, detail);
    if (err == CM_OK)
        err = store_sign_up_confirmed(pg, s.id, !strcmp(s.channel, "email"), occurred_at);
    if (err == CM_OK)
        err = sign_up_event(pg, "confirmed", s.id, s.user_id, s.organization_id,
                            s.organization_code_id, occurred_at);
    if (err == CM_OK)
        err = cm_pg_commit(pg);
    if (err != CM_OK) {
        cm_pg_rollback(pg);
        if (err == CM_EINVAL) /* identity refused the tz; the code stays valid */
            err = cm_fail_at(rq, err, "/tz", NULL, "%s", detail[0] ? detail : "tz is invalid");
        else
            err = cm_fail(rq, err == CM_ENOTFOUND ? CM_EINTERNAL : err,
                          "the sign-up could not be confirmed, retry later");
        goto done;
    }
    cm_info("sign-up %s: confirmed", s.id);
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
