/* handlers_auth_reset.c: password reset: forgot-password (not in the seed)
 * queues a 6-digit code for the user's verified address (code_mail.h: sent
 * off the request path), and confirm-forgot-password (#16) sets the new
 * password with it (handlers_auth.h). Codes are stored only as their
 * BLAKE2b-256 hash and never logged.
 *
 * Guessing is bounded per username (which is per user: usernames are
 * unique) across codes, in one-hour windows (store_codes.h): at most
 * FORGOT_PER_USERNAME requests and so at most as many codes, and
 * RESET_CHECKS_PER_USERNAME codes checked; then 429 with Retry-After.
 * Client addresses have their own, larger, bounds. An unknown username is
 * counted and answered exactly like a known one. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "code_mail.h"
#include "identity_state.h"
#include "handlers.h"
#include "password_hash.h"
#include "password_policy.h"
#include "store.h"
#include "store_auth.h"
#include "store_codes.h"
#include "tokens.h"

#define RESET_CODE_DIGITS 6
#define RESET_CODE_MAX_CHARS 20      /* confirmation-code of #16 */
#define RESET_MAX_ATTEMPTS 5         /* wrong codes before a code is void */
#define RESET_RESEND_S 60            /* a pending code younger than this is kept, nothing sent */
#define RESET_WINDOW_S 3600          /* the counts below are per hour */
#define RESET_SENDS_PER_USER 5       /* codes made per user */
#define FORGOT_PER_USERNAME 5        /* forgot-password requests per username, known or not */
#define FORGOT_PER_ADDRESS 100       /* forgot-password requests per client address */
#define RESET_CHECKS_PER_USERNAME 10 /* codes checked per username, known or not */
#define RESET_CHECKS_PER_ADDRESS 100 /* codes checked per client address */

/* Reads "source" ("email" or "sms", default email) into *sms. */
static cm_err read_source(struct cm_req *rq, const json_t *body, int *sms)
{
    const char *source = NULL;
    cm_err err = cm_json_str(rq, body, "", "source", 0, 0, 8, &source);

    *sms = 0;
    if (err == CM_OK && source && strcmp(source, "email") != 0 && strcmp(source, "sms") != 0)
        err = cm_fail_at(rq, CM_EINVAL, "/source", NULL, "source is email or sms");
    if (err == CM_OK && source)
        *sms = !strcmp(source, "sms");
    return err;
}

/* The client's address as the edge saw it; "" for callers without one
 * (services over NATS), which the address bounds do not apply to. */
static const char *client_addr(const struct cm_req *rq)
{
    return rq->http->remote_addr ? rq->http->remote_addr : "";
}

/* Counts one event in (scope, key) and refuses it (429 with Retry-After)
 * past limit; *over says whether it was refused. */
static cm_err count_event(struct cm_req *rq, const char *scope, const char *key, int limit,
                          int *over)
{
    int n = 0, retry = 0;
    cm_err err = store_throttle_add(rq->w->pg, scope, key, RESET_WINDOW_S, &n, &retry);

    if (err == CM_OK && n > limit) {
        *over = 1;
        err = cm_fail_retry(rq, CM_ELIMIT, retry,
                            "too many password-reset attempts; retry in %d s", retry);
    }
    return err;
}

/* Queues the reset code for `to` (code_mail.h); a full queue is logged
 * there and otherwise ignored: the answer must not tell whether the user
 * exists. */
static void queue_code(struct cm_req *rq, int sms, const char *to, const char *code)
{
    struct code_mail m = {0};

    m.sms = sms;
    snprintf(m.to, sizeof m.to, "%s", to);
    snprintf(m.subject, sizeof m.subject, "Your password reset code");
    snprintf(m.body, sizeof m.body,
             "Your password reset code is %s. It expires in %d minutes. If you did not ask "
             "for it, ignore this message.",
             code, rq->w->cfg->code_ttl_s / 60);
    snprintf(m.kind, sizeof m.kind, "reset-code");
    snprintf(m.template_type, sizeof m.template_type, "%s", sms ? "reset-password" : "forgot-password");
    snprintf(m.code, sizeof m.code, "%s", code);
    m.ttl_minutes = rq->w->cfg->code_ttl_s / 60;
    snprintf(m.request_id, sizeof m.request_id, "%s", rq->http->request_id);
    code_mail_queue(identity_state_of(rq->w)->mail, &m);
}

/* Counts the request and, within the bounds, stores a fresh code for an
 * existing user with a verified address: one transaction, the same
 * statements whether the user exists or not. *sent and to (256) tell
 * where the code must go. */
static cm_err forgot_store(struct cm_req *rq, const char *username, int sms, const char *code,
                           int *sent, char *to)
{
    PGconn *pg = rq->w->pg;
    uint8_t hash[STORE_HASH_BYTES];
    int over = 0;
    cm_err err = cm_pg_begin(pg);

    *sent = 0;
    if (err == CM_OK)
        err = count_event(rq, "forgot-name", username, FORGOT_PER_USERNAME, &over);
    if (err == CM_OK && client_addr(rq)[0])
        err = count_event(rq, "forgot-addr", client_addr(rq), FORGOT_PER_ADDRESS, &over);
    if (err == CM_OK) {
        tokens_hash(code, hash);
        err = store_reset_code_put(pg, username, sms, hash, rq->w->cfg->code_ttl_s,
                                   RESET_RESEND_S, RESET_SENDS_PER_USER, sent, to);
    }
    /* a refused request is still counted: commit the counts */
    if (err == CM_OK || over) {
        cm_err c = cm_pg_commit(pg);
        if (c != CM_OK)
            err = c;
    }
    if (err != CM_OK) {
        cm_pg_rollback(pg);
        *sent = 0;
    }
    return err;
}

cm_err auth_forgot_password(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"username", "source", NULL};
    char code[RESET_CODE_DIGITS + 1], to[256];
    const char *username = NULL;
    json_t *body = NULL;
    int sms = 0, sent = 0;
    cm_err err;

    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, body, "", "username", 1, 0, 255, &username);
    if (err == CM_OK)
        err = read_source(rq, body, &sms);
    /* The same work whether the user exists or not: a code is made and
     * hashed, the same statements run in one transaction, and the code is
     * queued (not sent) when it was stored: the answer is the same 201, as
     * fast, in every case. */
    if (err == CM_OK) {
        snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
        err = forgot_store(rq, username, sms, code, &sent, to);
    }
    if (err == CM_OK && sent)
        queue_code(rq, sms, to, code);
    sodium_memzero(code, sizeof code);
    json_decref(body);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(NULL));
    return CM_OK;
}

/* The in-band login-error of #16. */
static json_t *login_error(cm_err err, const char *detail)
{
    return json_pack("{s:s, s:s, s:i}", "code", cm_err_name(err), "detail",
                     detail[0] ? detail : cm_err_name(err), "status", cm_err_http_status(err));
}

/* Checks the code and, when it matches, sets the new password, revokes
 * every session of the user and clears its failed logins: one transaction.
 * The check is counted first against the username and the client address
 * (an atomic increment, so parallel guesses cannot slip past the bound):
 * past RESET_CHECKS_PER_USERNAME or RESET_CHECKS_PER_ADDRESS in the hour it
 * is 429 with Retry-After and the code is not even looked at, so a right
 * guess is worth nothing then. A wrong code's attempt is committed too.
 * The user's id to user_id. */
static cm_err reset_password(struct cm_req *rq, const char *username, const char *code,
                             const char *password, char *user_id)
{
    PGconn *pg = rq->w->pg;
    char pw[PW_HASH_MAX];
    uint8_t hash[STORE_HASH_BYTES];
    int over = 0;
    cm_err err, check = CM_OK;

    /* each count commits on its own: its row is locked only for the
     * increment, not through the password hashing of a right code */
    err = count_event(rq, "reset-check-name", username, RESET_CHECKS_PER_USERNAME, &over);
    if (err == CM_OK && client_addr(rq)[0])
        err = count_event(rq, "reset-check-addr", client_addr(rq), RESET_CHECKS_PER_ADDRESS,
                          &over);
    if (err == CM_OK)
        err = cm_pg_begin(pg);
    tokens_hash(code, hash);
    if (err == CM_OK) {
        check = store_reset_code_take(pg, username, hash, RESET_MAX_ATTEMPTS, user_id);
        if (check != CM_OK && check != CM_ENOTFOUND && check != CM_EDENIED)
            err = check;
    }
    if (err == CM_OK && check == CM_OK)
        err = pw_hash(identity_state_of(rq->w)->hashers, rq->w->cfg, password, pw);
    if (err == CM_OK && check == CM_OK)
        err = store_user_set_password(pg, user_id, pw);
    if (err == CM_OK && check == CM_OK)
        err = users_revoke_sessions(pg, user_id, "password_changed");
    if (err == CM_OK && check == CM_OK)
        err = store_attempts_clear(pg, username);
    if (err == CM_OK && check == CM_OK)
        err = users_event(pg, user_id, "password_changed");
    sodium_memzero(pw, sizeof pw);
    err = cm_pg_end(pg, err);
    if (err != CM_OK)
        return err;
    if (check != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, "/confirmation-code", NULL,
                          "the confirmation code is wrong or expired");
    return CM_OK;
}

cm_err auth_confirm_forgot_password(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"username", "confirmation-code", "password", "login",
                                          "source", NULL};
    const struct cm_config *cfg = rq->w->cfg;
    struct login_opts o = {cfg->access_token_ttl_s, cfg->refresh_token_ttl_s, 1, NULL, 0, NULL};
    const char *username = NULL, *code = NULL, *password = NULL;
    char user_id[40], detail[128], pointer[32];
    json_t *body = NULL, *resp = NULL, *answer;
    struct pw_strength st;
    int login = 0, sms = 0;
    cm_err err;

    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, body, "", "username", 1, 0, 255, &username);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "confirmation-code", 1, 0, RESET_CODE_MAX_CHARS, &code);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "password", 1, 0, PW_MAX_CHARS, &password);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "login", 0, 0, &login);
    /* source says where the code was sent; it changes nothing here */
    if (err == CM_OK)
        err = read_source(rq, body, &sms);
    if (err == CM_OK) {
        pw_strength_rate(password, strlen(password), &st);
        if (!pw_policy_accepts(&st))
            err = cm_fail_at(rq, CM_EINVAL, "/password", NULL,
                             "the password is too weak (%s); %s", st.label,
                             st.nsuggestions ? st.suggestions[0] : "choose a stronger one");
    }
    if (err == CM_OK)
        err = reset_password(rq, username, code, password, user_id);
    if (err != CM_OK)
        goto done;
    answer = json_pack("{s:n}", "login-error");
    if (login) {
        err = auth_finish_login(rq->w, user_id, username, &o, 1, NULL, detail, pointer, &resp);
        if (err == CM_OK) {
            json_object_update(answer, resp);
            json_decref(resp);
        } else {
            /* the password is set either way: why the login did not
             * finish is reported in-band, as the seed's sample shows */
            json_object_set_new(answer, "login-error", login_error(err, detail));
            err = CM_OK;
        }
    }
    cm_resp_json(out, rq, 201, answer);
done:
    json_decref(body);
    return err;
}
