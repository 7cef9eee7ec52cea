/* handlers_auth_reset.c: password reset: forgot-password (not in the seed)
 * sends a 6-digit code through messaging.rpc.Deliver, and
 * confirm-forgot-password (#16) sets the new password with it
 * (handlers_auth.h). Codes are stored only as their BLAKE2b-256 hash and
 * never logged. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "handlers.h"
#include "messaging.pb-c.h"
#include "password_hash.h"
#include "password_policy.h"
#include "store.h"
#include "store_auth.h"
#include "tokens.h"

#define RESET_CODE_DIGITS 6
#define RESET_CODE_MAX_CHARS 20 /* confirmation-code of #16 */
#define RESET_MAX_ATTEMPTS 5    /* wrong codes before the code is void */
#define RESET_RESEND_S 60       /* at most one code per user this often: no mail bombing */

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

/* Sends code to `to` through messaging.rpc.Deliver; failures are logged
 * (without the address or the code) and otherwise ignored: the answer must
 * not tell whether the user exists. */
static void deliver_code(struct cm_worker *w, int sms, const char *to, const char *code)
{
    Messaging__DeliverRequest d = MESSAGING__DELIVER_REQUEST__INIT;
    Envelope__Principal self = ENVELOPE__PRINCIPAL__INIT;
    Envelope__RpcReply *reply = NULL;
    char text[256];
    uint8_t *payload;
    size_t len;
    cm_err err;

    snprintf(text, sizeof text,
             "Your password reset code is %s. It expires in %d minutes. If you did not ask "
             "for it, ignore this message.",
             code, w->cfg->code_ttl_s / 60);
    d.channel = sms ? "sms" : "email";
    d.to = (char *)to;
    d.subject = "Your password reset code";
    d.body = text;
    d.kind = "reset-code";
    d.organization_id = "";
    self.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_SERVICE;
    self.user_id = "identity";
    payload = cm_pack(&d.base, &len);
    sodium_memzero(text, sizeof text);
    err = cm_nats_rpc(w->nc, "messaging.rpc.Deliver", cm_log_request_id(), &self, payload, len,
                      w->cfg->rpc_timeout_ms, &reply);
    sodium_memzero(payload, len);
    free(payload);
    if (err == CM_OK)
        err = cm_err_from_wire(reply->code);
    if (err != CM_OK)
        cm_warn("reset code not delivered (%s): %s", d.channel, cm_err_name(err));
    if (reply)
        envelope__rpc_reply__free_unpacked(reply, NULL);
}

cm_err auth_forgot_password(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"username", "source", NULL};
    char code[RESET_CODE_DIGITS + 1], email[256], phone[256];
    uint8_t hash[STORE_HASH_BYTES];
    const char *username = NULL;
    json_t *body = NULL;
    int sms = 0, found = 0;
    cm_err err;

    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, body, "", "username", 1, 0, 255, &username);
    if (err == CM_OK)
        err = read_source(rq, body, &sms);
    /* The same work whether the user exists or not: a code is made and
     * hashed, and one statement stores it only for an enabled user whose
     * last code is over RESET_RESEND_S old; the answer is the same 201 in
     * every case. */
    if (err == CM_OK) {
        snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
        tokens_hash(code, hash);
        err = store_reset_code_put(rq->w->pg, username, hash, rq->w->cfg->code_ttl_s,
                                   RESET_RESEND_S, &found, email, phone);
    }
    if (err == CM_OK && found && (sms ? phone : email)[0])
        deliver_code(rq->w, sms, sms ? phone : email, code);
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
 * every session of the user and clears its failed logins: one transaction
 * (a wrong code's attempt is committed too). The user's id to user_id. */
static cm_err reset_password(struct cm_req *rq, const char *username, const char *code,
                             const char *password, char *user_id)
{
    PGconn *pg = rq->w->pg;
    char pw[PW_HASH_MAX];
    uint8_t hash[STORE_HASH_BYTES];
    cm_err err = cm_pg_begin(pg), check = CM_OK;

    tokens_hash(code, hash);
    if (err == CM_OK) {
        check = store_reset_code_take(pg, username, hash, RESET_MAX_ATTEMPTS, user_id);
        if (check != CM_OK && check != CM_ENOTFOUND && check != CM_EDENIED)
            err = check;
    }
    if (err == CM_OK && check == CM_OK)
        err = pw_hash(rq->w->cfg, password, pw);
    if (err == CM_OK && check == CM_OK)
        err = store_user_set_password(pg, user_id, pw);
    if (err == CM_OK && check == CM_OK)
        err = users_revoke_sessions(pg, user_id, "password_changed");
    if (err == CM_OK && check == CM_OK)
        err = store_attempts_clear(pg, username);
    if (err == CM_OK && check == CM_OK)
        err = users_event(pg, user_id, "password_changed");
    if (err == CM_OK)
        err = cm_pg_commit(pg);
    sodium_memzero(pw, sizeof pw);
    if (err != CM_OK) {
        cm_pg_rollback(pg);
        return err;
    }
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
        /* the edge refuses the user's tokens issued up to the revocation
         * that just happened: these come after it */
        o.issued_after = (int64_t)time(NULL);
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
