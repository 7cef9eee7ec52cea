/* request_flow.c: the account step of onboarding requests, and its sweep
 * (request_flow.h). */
#include "request_flow.h"

#include <stdio.h>
#include <string.h>

#include "cm_log.h"
#include "cm_pg.h"
#include "onboarding_events.h"
#include "request_grants.h"
#include "store_invitations.h"

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
    if (err == CM_OK) {
        int moved = 0;
        err = cm_pg_begin(w->pg);
        if (err == CM_OK)
            err = store_req_account_created(w->pg, r->id, &moved);
        if (err == CM_OK && moved)
            err = event_request(w->pg, "account_created", r->id, r->organization_id, r->patient);
        err = cm_pg_end(w->pg, err);
    }
    /* the account is made: its groups and roles (request_grants.h); one
     * that fails now stays due for the sweeper */
    if (err == CM_OK)
        (void)request_grants_apply(w, r->patient, REQUEST_GRANTS_BATCH);
    return err;
}

cm_err request_flow_insert(PGconn *pg, const struct req_rec *n, struct req_list *out)
{
    cm_err err = cm_pg_begin(pg);

    memset(out, 0, sizeof *out);
    if (err == CM_OK)
        err = store_req_insert(pg, n, out);
    if (err == CM_OK)
        err = event_request(pg, "created", out->items[0].id, out->items[0].organization_id,
                            out->items[0].patient);
    err = cm_pg_end(pg, err);
    if (err != CM_OK)
        store_req_list_free(out);
    return err;
}

cm_err request_flow_update(PGconn *pg, const char *id, const char *email, const char *phone,
                           const char *notifications, struct req_list *out)
{
    cm_err err = cm_pg_begin(pg);

    memset(out, 0, sizeof *out);
    if (err == CM_OK)
        err = store_req_update(pg, id, email, phone, notifications, out);
    if (err == CM_OK)
        err =
            event_request(pg, "updated", id, out->items[0].organization_id, out->items[0].patient);
    err = cm_pg_end(pg, err);
    if (err != CM_OK)
        store_req_list_free(out);
    return err;
}

cm_err request_flow_undo(PGconn *pg, const struct req_rec *r)
{
    int gone = 0;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_req_undo(pg, r->id, &gone);
    if (err == CM_OK && gone)
        err = event_request(pg, "undone", r->id, r->organization_id, r->patient);
    return cm_pg_end(pg, err);
}

cm_err request_flow_claims(PGconn *pg, const char *sign_up_id, int *claimed, int *invited)
{
    struct req_list r = {0};
    struct inv_list i = {0};
    cm_err err = store_req_claim_by_sign_up(pg, sign_up_id, &r);

    for (size_t k = 0; err == CM_OK && k < r.n; k++)
        err = event_request(pg, "claimed", r.items[k].id, r.items[k].organization_id,
                            r.items[k].claimed_by);
    if (err == CM_OK)
        err = store_inv_claim_by_sign_up(pg, sign_up_id, &i);
    for (size_t k = 0; err == CM_OK && k < i.n; k++)
        err = event_invitation(pg, "claimed", i.items[k].id, i.items[k].organization_id,
                               i.items[k].claimed_by);
    *claimed = r.n > 0;
    *invited = i.n > 0;
    store_req_list_free(&r);
    store_inv_list_free(&i);
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
            break;
        if (store_req_get(w->pg, id, &l) != CM_OK)
            continue;
        /* as the create handler's call, without the password */
        err = request_flow_account(w, &l.items[0], NULL, 0, detail);
        if (err == CM_OK) {
            cm_info("sweeper: onboarding request %s: account found, finished", id);
        } else if (err == CM_ENOTFOUND && age > w->cfg->sign_up_undo_after_s) {
            err = request_flow_undo(w->pg, &l.items[0]);
            cm_info("sweeper: onboarding request %s: no account came, undone (%s)", id,
                    cm_err_name(err));
        } else if (err != CM_ENOTFOUND) {
            cm_warn("sweeper: onboarding request %s: not finished (%s)", id, cm_err_name(err));
        }
        store_req_list_free(&l);
    }
    /* groups and roles of requests whose account is made or claimed */
    (void)request_grants_apply(w, "", batch);
}
