/* request_flow.h: the account step of an onboarding request with
 * auto-sign-up, after its intent is recorded (README "Flows that span
 * services"), shared by the create handler and the sweeper. The request
 * row (account_step pending, patient = the account id chosen here) is the
 * intent; identity.rpc.CreateAccount with that id is idempotent; a lost
 * reply leaves the row pending, and the sweeper finishes it (the account
 * exists: step created, confirmed when auto-confirm) or undoes it (none
 * came within SIGN_UP_UNDO_AFTER_S). Passwords are never stored. */
#ifndef ONBOARDING_REQUEST_FLOW_H
#define ONBOARDING_REQUEST_FLOW_H

#include "cm_service.h"
#include "peers.h"
#include "store_requests.h"

/* identity.rpc.CreateAccount for request r with password; or, when
 * password is NULL, only asks whether its account exists (CM_ENOTFOUND
 * when not). Then ConfirmAccount when r->auto_confirm, and step created.
 * Then the request's groups and roles (request_grants_apply; one that
 * fails stays due for the sweeper and does not fail this call).
 * drop_reply (tests only, ONBOARDING_TEST_DROP_CREATE_REPLY) discards
 * identity's answer to the create and returns CM_ETIMEOUT. Identity's
 * refusal detail goes to detail. */
cm_err request_flow_account(struct cm_worker *w, const struct req_rec *r, const char *password,
                            int drop_reply, char detail[PEER_DETAIL_MAX]);

/* Writes with their events (onboarding_events.h), each in one
 * transaction: a new request ("created"), a change ("updated"; as
 * store_req_update), the undoing of a pending one ("undone"). */
cm_err request_flow_insert(PGconn *pg, const struct req_rec *n, struct req_list *out);
cm_err request_flow_update(PGconn *pg, const char *id, const char *email, const char *phone,
                           const char *notifications, struct req_list *out);
cm_err request_flow_undo(PGconn *pg, const struct req_rec *r);

/* In the confirmation's transaction of sign-up sign_up_id: claims the
 * onboarding request and the registration invitation its referral code
 * names, with their "claimed" events; whether each was to *claimed and
 * *invited. */
cm_err request_flow_claims(PGconn *pg, const char *sign_up_id, int *claimed, int *invited);

/* One sweep: finishes or undoes up to batch pending requests idle for
 * cfg->sign_up_sweep_after_s, then applies the groups and roles of up to
 * batch requests whose are due (the sweeper thread's worker w). */
void request_flow_sweep(struct cm_worker *w, int batch);

#endif
