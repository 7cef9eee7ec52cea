/* test_users_fixtures.h: what the users and users_admin suites share
 * (defined in test_users.c): an organization with its roles, a confirmed
 * account logged in, HTTP calls with a formatted path, error checks. Each
 * asserts its own success. */
#ifndef TEST_USERS_FIXTURES_H
#define TEST_USERS_FIXTURES_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "envelope.pb-c.h"
#include "harness.h"

#define UT_ID_LEN 40
#define UT_PASSWORD "vG7#kq2!Lm9zR-users" /* passes identity's policy */
#define UT_PASSWORD2 "Qx4!pL9#wN2z-other" /* and so does this */

/* A confirmed account and its access token. */
struct ut_user {
    char id[UT_ID_LEN];
    char username[96];
    char token[4097];
};

/* A new organization made by the platform admin through POST
 * /v1/organizations/ (roles admin, provider and patient); its id into
 * org_id (UT_ID_LEN). */
void ut_org(char *org_id);

/* A new account in org with role (NULL: patient) made through
 * identity.rpc.CreateAccount with UT_PASSWORD, confirmed through
 * ConfirmAccount, and logged in. */
void ut_account(const char *org, const char *role, struct ut_user *u);

/* identity.rpc.<method> with msg; the reply into *out (caller
 * envelope__rpc_reply__free_unpacked). Returns its code. */
int ut_rpc(const char *method, const ProtobufCMessage *msg, Envelope__RpcReply **out);

/* it_call_token with a printf-formatted path. */
void ut_call(struct it_resp *r, const char *method, const char *token, const char *body,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Asserts a JSON:API error of status whose source (pointer or parameter)
 * is source, unless source is NULL or "" (the body as a whole). */
void ut_assert_error(const struct it_resp *r, long status, const char *source);

/* identity.outbox rows of subject whose packed payload contains needle
 * (an id), counted on TEST_PG_URL. */
long ut_outbox_count(const char *subject, const char *needle);

/* The data.attributes of r's body (caller json_decref). */
json_t *ut_attrs_of(const struct it_resp *r);

#endif
