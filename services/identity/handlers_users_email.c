/* handlers_users_email.c: a user's email address changes only once its
 * owner proves it: change-email (#149) and PATCH's email leave the new
 * address pending (users.email keeps the verified one, which password-reset
 * codes go to), a 6-digit code goes to the new address and a notice to the
 * old one; POST /v1/users/{id}/verify-email/ (not in the seed) with that
 * code makes it the account's verified email. Codes are stored only as
 * their BLAKE2b-256 hash and never logged. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "code_mail.h"
#include "identity_state.h"
#include "handlers.h"
#include "store_codes.h"
#include "tokens.h"

#define VERIFY_CODE_MAX_CHARS 20  /* as confirmation-code elsewhere */
#define VERIFY_MAX_ATTEMPTS 5     /* wrong codes before a pending change is void */
#define EMAIL_CHANGES_PER_HOUR 5  /* changes asked per user (each sends a code) */
#define VERIFY_CHECKS_PER_HOUR 10 /* codes checked per user, across changes */
#define VERIFY_WINDOW_S 3600

cm_err users_email_change_begin(struct cm_req *rq, const char *id, struct users_email_change *ec)
{
    uint8_t hash[STORE_HASH_BYTES];
    cm_err err;

    snprintf(ec->code, sizeof ec->code, "%06u", (unsigned)randombytes_uniform(1000000));
    tokens_hash(ec->code, hash);
    err = store_email_change_put(rq->w->pg, id, ec->email, hash, rq->w->cfg->code_ttl_s,
                                 EMAIL_CHANGES_PER_HOUR, ec->old_email, &ec->unchanged,
                                 &ec->retry_after_s);
    if (err == CM_ELIMIT)
        return cm_fail_retry(rq, err, ec->retry_after_s,
                             "too many email changes for this user; retry in %d s",
                             ec->retry_after_s);
    return err;
}

/* "a***@example.org" for "alice@example.org", into out (cap bytes). */
static void mask_email(const char *email, char *out, size_t cap)
{
    const char *at = strchr(email, '@');
    snprintf(out, cap, "%c***%s", email[0] ? email[0] : '*', at ? at : "");
}

void users_email_change_mail(struct cm_req *rq, struct users_email_change *ec)
{
    struct code_mail m = {0};
    char masked[300];

    if (!ec->email || ec->unchanged)
        return;
    snprintf(m.to, sizeof m.to, "%s", ec->email);
    snprintf(m.subject, sizeof m.subject, "Confirm your new email address");
    snprintf(m.body, sizeof m.body,
             "Your email verification code is %s. Enter it to make this address the email of "
             "your account. It expires in %d minutes. If you did not ask for it, ignore this "
             "message.",
             ec->code, rq->w->cfg->code_ttl_s / 60);
    snprintf(m.kind, sizeof m.kind, "verify-email");
    snprintf(m.template_type, sizeof m.template_type, "verify-email");
    snprintf(m.code, sizeof m.code, "%s", ec->code);
    m.ttl_minutes = rq->w->cfg->code_ttl_s / 60;
    snprintf(m.request_id, sizeof m.request_id, "%s", rq->http->request_id);
    code_mail_queue(identity_state_of(rq->w)->mail, &m);
    sodium_memzero(ec->code, sizeof ec->code);
    if (!ec->old_email[0] || !strcasecmp(ec->old_email, ec->email))
        return;
    memset(&m, 0, sizeof m);
    mask_email(ec->email, masked, sizeof masked);
    snprintf(m.to, sizeof m.to, "%s", ec->old_email);
    snprintf(m.subject, sizeof m.subject, "Your account's email address is being changed");
    snprintf(m.body, sizeof m.body,
             "A change of your account's email address to %s was asked for. It takes effect "
             "only once the code sent to that address is entered. If you did not ask for it, "
             "contact your administrator.",
             masked);
    snprintf(m.kind, sizeof m.kind, "email-change-notice");
    snprintf(m.template_type, sizeof m.template_type, "email-change-notice");
    snprintf(m.new_email, sizeof m.new_email, "%s", masked);
    snprintf(m.request_id, sizeof m.request_id, "%s", rq->http->request_id);
    code_mail_queue(identity_state_of(rq->w)->mail, &m);
}

/* users_change's write for change-email: ctx is a users_email_change. */
static cm_err write_email(struct cm_req *rq, const char *id, void *ctx)
{
    return users_email_change_begin(rq, id, ctx);
}

cm_err users_change_email(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"email", NULL};
    struct users_access a;
    struct users_email_change ec = {0};
    json_t *body = NULL;
    cm_err err = users_begin_write(rq, allowed, &a, &body);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "email", 1, 0, 255, &ec.email);
    if (err == CM_OK && !users_email_valid(ec.email))
        err = cm_fail_at(rq, CM_EINVAL, "/email", NULL, "email must be an email address");
    /* nothing changes for other services until the address is verified:
     * no event now */
    if (err == CM_OK)
        err = users_change(rq, &a, write_email, &ec, NULL, NULL);
    if (err == CM_OK) {
        users_email_change_mail(rq, &ec);
        users_respond_null(rq, out);
    }
    sodium_memzero(ec.code, sizeof ec.code);
    json_decref(body);
    return err;
}

/* Counts the check (an atomic increment, so parallel guesses cannot slip
 * past the bound; 429 with Retry-After past VERIFY_CHECKS_PER_HOUR, the code
 * not even looked at), then checks code against the user's pending change:
 * one transaction that also records a wrong attempt; 400 at
 * /confirmation-code when wrong, expired or absent. */
static cm_err verify_code(struct cm_req *rq, const char *id, const char *code)
{
    PGconn *pg = rq->w->pg;
    uint8_t hash[STORE_HASH_BYTES];
    int n = 0, retry = 0;
    cm_err err, check = CM_OK;

    /* the count commits on its own, before the check */
    err = store_throttle_add(pg, "verify-email-check", id, VERIFY_WINDOW_S, &n, &retry);
    if (err == CM_OK && n > VERIFY_CHECKS_PER_HOUR)
        return cm_fail_retry(rq, CM_ELIMIT, retry,
                             "too many confirmation codes tried; retry in %d s", retry);
    if (err == CM_OK)
        err = cm_pg_begin(pg);
    tokens_hash(code, hash);
    if (err == CM_OK) {
        check = store_email_change_take(pg, id, hash, VERIFY_MAX_ATTEMPTS);
        if (check != CM_OK && check != CM_ENOTFOUND && check != CM_EDENIED)
            err = check;
    }
    if (err == CM_OK && check == CM_OK)
        err = users_event(pg, id, "updated");
    err = cm_pg_end(pg, err);
    if (err != CM_OK) {
        return err;
    }
    if (check != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, "/confirmation-code", NULL,
                          "the confirmation code is wrong or expired");
    return CM_OK;
}

cm_err users_verify_email(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"confirmation-code", NULL};
    struct users_access a;
    const char *code = NULL;
    json_t *body = NULL;
    cm_err err = users_begin_write(rq, allowed, &a, &body);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "confirmation-code", 1, 1, VERIFY_CODE_MAX_CHARS, &code);
    if (err == CM_OK)
        err = verify_code(rq, a.id, code);
    if (err == CM_OK)
        users_respond_null(rq, out);
    json_decref(body);
    return err;
}
