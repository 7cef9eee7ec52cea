/* sign_up_flow.h: the steps of a sign-up after its intent is recorded
 * (README "Flows that span services"), shared by the sign-up handler and
 * the sweeper (sweeper.h). A request moves pending → account_created →
 * code_sent; each step can be repeated without harm: identity's
 * CreateAccount is idempotent (same user_id → same account), a step taken
 * by someone else is seen under the row's lock and left alone. Codes are
 * never logged. */
#ifndef ONBOARDING_SIGN_UP_FLOW_H
#define ONBOARDING_SIGN_UP_FLOW_H

#include "cm_service.h"
#include "peers.h"
#include "store.h"

#define SIGN_UP_KIND "sign-up-code" /* messaging's kind of the code's message */

/* identity.rpc.CreateAccount for request s: its stored details and user_id,
 * with password; or, when password is NULL, only asks whether the account
 * exists (CM_ENOTFOUND when not). On CM_OK the account type goes to
 * account_type (64 bytes). drop_reply (tests only,
 * ONBOARDING_TEST_DROP_CREATE_REPLY) discards identity's answer and
 * returns CM_ETIMEOUT, as a lost reply would. */
cm_err flow_create_account(struct cm_worker *w, const struct sign_up *s, const char *password,
                           int drop_reply, char account_type[64], char detail[PEER_DETAIL_MAX]);

/* identity has the account of request id: pending → account_created with
 * its event "created", in one transaction, then a code goes out
 * (flow_send_code). CM_OK without sending when the request had left
 * pending already (whoever moved it sends the code). */
cm_err flow_account_created(struct cm_worker *w, const char *id, const char *account_type);

/* A new code for request id (stored hashed, a "sent" limit event recorded
 * in the same transaction), delivered through messaging where the
 * request's codes go; then step code_sent. CM_ENOTFOUND when the request is
 * gone, registered or still pending; the delivery's error otherwise. */
cm_err flow_send_code(struct cm_worker *w, const char *id);

/* Writes event change ("created", "confirmed") of request s in the
 * transaction open on pg. */
cm_err flow_event(PGconn *pg, const char *change, const struct sign_up *s,
                  const char *occurred_at);

#endif
