/* request_flow.c: the account step of onboarding requests, and its sweep
 * (request_flow.h). */
#include "request_flow.h"

#include <stdio.h>
#include <string.h>

#include "cm_log.h"

cm_err request_flow_account(struct cm_worker *w, const struct req_rec *r, const char *password,
                            int drop_reply, char detail[PEER_DETAIL_MAX])
{
    Identity__CreateAccountRequest acct = IDENTITY__CREATE_ACCOUNT_REQUEST__INIT;
    char user_id[37], account_type[64];
    cm_err err;

    detail[0] = '\0';
    acct.user_id = (char *)r->patient;
    acct.organization_id = (char *)r->organization_id;
    acct.username = (char *)r->username;
    if (password) {
        acct.password = (char *)password;
        acct.email = (char *)r->patient_email;
        acct.phone = (char *)r->phone_number;
        acct.role = (char *)r->onboard_type;
    } else {
        acct.only_existing = 1;
    }
    err = peers_create_account(w, &acct, user_id, account_type, detail);
    if (err == CM_OK && strcmp(user_id, r->patient)) {
        cm_error("onboarding request %s: identity answered another account", r->id);
        return CM_EINTERNAL;
    }
    if (err == CM_OK && drop_reply) {
        cm_warn("onboarding request %s: test fault: the CreateAccount reply is dropped", r->id);
        snprintf(detail, PEER_DETAIL_MAX, "identity.rpc.CreateAccount is unavailable, retry later");
        return CM_ETIMEOUT;
    }
    if (err == CM_OK && r->auto_confirm)
        err = peers_confirm_account(w, r->patient, "", account_type, detail);
    if (err == CM_OK)
        err = store_req_account_created(w->pg, r->id);
    return err;
}

void request_flow_sweep(struct cm_worker *w, int batch)
{
    char id[37], detail[PEER_DETAIL_MAX];
    struct req_list l = {0};
    double age = 0;
    cm_err err;

    for (int i = 0; i < batch; i++) {
        if (store_req_claim_pending(w->pg, w->cfg->sign_up_sweep_after_s, id, &age) != CM_OK)
            return;
        if (store_req_get(w->pg, id, &l) != CM_OK)
            continue;
        err = request_flow_account(w, &l.items[0], NULL, 0, detail);
        if (err == CM_OK) {
            cm_info("sweeper: onboarding request %s: account found, finished", id);
        } else if (err == CM_ENOTFOUND && age > w->cfg->sign_up_undo_after_s) {
            err = store_req_undo(w->pg, id);
            cm_info("sweeper: onboarding request %s: no account came, undone (%s)", id,
                    cm_err_name(err));
        } else if (err != CM_ENOTFOUND) {
            cm_warn("sweeper: onboarding request %s: not finished (%s)", id, cm_err_name(err));
        }
        store_req_list_free(&l);
    }
}
