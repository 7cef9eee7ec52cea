/* sign_up_flow.c: the steps of a sign-up after its intent is recorded (see
 * sign_up_flow.h). */
#include "sign_up_flow.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cm_log.h"
#include "cm_outbox.h"
#include "codes.h"
#include "handlers.h"
#include "onboarding.pb-c.h"
#include "store_limits.h"

cm_err flow_create_account(struct cm_worker *w, const struct sign_up *s, const char *password,
                           int drop_reply, char account_type[64], char detail[PEER_DETAIL_MAX])
{
    Identity__CreateAccountRequest acct = IDENTITY__CREATE_ACCOUNT_REQUEST__INIT;
    char user_id[37];
    cm_err err;

    acct.user_id = (char *)s->user_id;
    acct.organization_id = (char *)s->organization_id;
    acct.username = (char *)s->username;
    if (password) {
        acct.password = (char *)password;
        acct.email = (char *)s->email;
        acct.first_name = (char *)s->first_name;
        acct.last_name = (char *)s->last_name;
        acct.phone = (char *)s->phone;
        acct.locale = (char *)s->locale;
        acct.tz = (char *)s->tz;
        acct.role = "patient";
        acct.birth_date = (char *)s->birth_date;
        acct.preferred_name = (char *)s->preferred_name;
        acct.gender = (char *)s->gender;
    } else {
        acct.only_existing = 1;
    }
    err = peers_create_account(w, &acct, user_id, account_type, detail);
    if (err == CM_OK && strcmp(user_id, s->user_id)) {
        cm_error("sign-up %s: identity answered another account", s->id);
        return CM_EINTERNAL;
    }
    if (err == CM_OK && drop_reply) {
        cm_warn("sign-up %s: test fault: the CreateAccount reply is dropped", s->id);
        snprintf(detail, PEER_DETAIL_MAX, "identity.rpc.CreateAccount is unavailable, retry later");
        return CM_ETIMEOUT;
    }
    return err;
}

cm_err flow_event(PGconn *pg, const char *change, const struct sign_up *s, const char *occurred_at)
{
    Onboarding__SignUpChanged ev = ONBOARDING__SIGN_UP_CHANGED__INIT;
    char subject[96];

    snprintf(subject, sizeof subject, "%s%s", ONBOARDING_EVT_SIGN_UP, change);
    ev.sign_up_id = (char *)s->id;
    ev.change = (char *)change;
    ev.user_id = (char *)s->user_id;
    ev.organization_id = (char *)s->organization_id;
    ev.organization_code_id = (char *)s->organization_code_id;
    ev.occurred_at = (char *)occurred_at;
    return cm_outbox_add(pg, subject, &ev.base, NULL);
}

cm_err flow_account_created(struct cm_worker *w, const char *id, const char *account_type)
{
    PGconn *pg = w->pg;
    struct sign_up s;
    char occurred_at[STORE_TIME_LEN];
    int moved = 0;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_sign_up_lock_id(pg, id, &s);
    if (err == CM_OK && s.step == STEP_PENDING) {
        err = store_sign_up_account_created(pg, id, account_type, occurred_at);
        if (err == CM_OK)
            err = flow_event(pg, "created", &s, occurred_at);
        moved = err == CM_OK;
    }
    err = cm_pg_end(pg, err);
    if (err != CM_OK) {
        return err;
    }
    if (!moved)
        return CM_OK;
    cm_info("sign-up %s: account %s created", id, s.user_id);
    return flow_send_code(w, id);
}

/* Sends code for request s through messaging, rendered from the
 * organization's `sign-up-code` template (else the default) in the
 * sign-up's locale. */
static cm_err deliver(struct cm_worker *w, const struct sign_up *s, const char *code)
{
    char detail[PEER_DETAIL_MAX], msg_id[37], ttl[16];
    struct org_facts org;
    const char *name = "";
    int minutes = w->cfg->code_ttl_s / 60;
    const char *keys[] = {"code", "ttl_minutes", "organization_name", "name"};
    const char *values[4];
    struct peer_template_msg m = {
        s->channel, s->recipient, SIGN_UP_KIND, s->organization_id, s->locale, "", 4, keys, values};

    if (peers_get_organization(w, s->organization_id, &org) == CM_OK)
        name = org.display_name[0] ? org.display_name : org.name;
    snprintf(ttl, sizeof ttl, "%d", minutes > 0 ? minutes : 1);
    values[0] = code;
    values[1] = ttl;
    values[2] = name;
    values[3] = s->first_name;
    return peers_deliver_template(w, &m, msg_id, detail);
}

cm_err flow_send_code(struct cm_worker *w, const char *id)
{
    PGconn *pg = w->pg;
    struct sign_up s;
    uint8_t hash[CONFIRM_HASH_BYTES];
    char code[CONFIRM_CODE_LEN + 1];
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_sign_up_lock_id(pg, id, &s);
    if (err == CM_OK && (s.registered || s.step == STEP_PENDING))
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        codes_new_confirmation(code);
        codes_hash(code, s.user_id, hash);
        err = store_sign_up_new_code(pg, s.id, hash, w->cfg->code_ttl_s);
    }
    if (err == CM_OK)
        err = store_limit_note(pg, LIMIT_KIND_SENT, s.username);
    err = cm_pg_end(pg, err);
    if (err != CM_OK) {
        return err;
    }
    err = deliver(w, &s, code);
    sodium_memzero(code, sizeof code);
    if (err != CM_OK) {
        cm_warn("sign-up %s: the confirmation code could not be sent: %s", id, cm_err_name(err));
        return err == CM_EINVAL ? CM_EINTERNAL : err;
    }
    cm_info("sign-up %s: confirmation code sent", id);
    return store_sign_up_code_sent(pg, id);
}
