/* it_onboarding.h: steps the sign-up suites share (organization_codes,
 * sign_up, journey, onboarding requests and invitations): an organization and a code made by the platform admin,
 * a sign-up body, the code read back from the spool, a confirmation, an
 * onboarding request. Each
 * asserts its own success. */
#ifndef IT_ONBOARDING_H
#define IT_ONBOARDING_H

#include <jansson.h>
#include <stddef.h>

#include "harness.h"

#define OB_PASSWORD "vG7#kq2!Lm9zR-pine" /* passes identity's policy */
#define OB_TOKEN_MAX 4097

/* POST /v1/organizations/ as token (the platform admin): a new organization
 * with a unique name; its id into org_id (37 bytes), its name into name
 * (128 bytes) when not NULL. */
void ob_create_org(const char *token, char *org_id, char *name);

/* POST /v1/organization-codes/ as token for org_id with a generated id and
 * expires_at (NULL: never); the code into code (65 bytes). */
void ob_create_code(const char *token, const char *org_id, const char *expires_at, char *code);

/* The platform admin's token (waiting until the edge accepts it, for a
 * suite that runs first), and an organization with a code that never
 * expires. */
struct ob_fixture {
    char admin[OB_TOKEN_MAX];
    char org_id[37];
    char code[65];
};

void ob_fixture_make(struct ob_fixture *f);

/* A sign-up body (caller json_decref) for username with code, the person's
 * email email (NULL: none), OB_PASSWORD and names. */
json_t *ob_sign_up_body(const char *code, const char *username, const char *email);

/* POST /v1/sign-up/ with body (borrowed) into r (release it). */
void ob_post_json(struct it_resp *r, const char *path, const char *token, const json_t *body);

/* POST /v1/sign-up/ with body (borrowed); asserts 201. */
void ob_sign_up_ok(const json_t *body);

/* Signs up with body (borrowed; its "username" is an email address, where
 * the code goes), reads the confirmation code from the spool and confirms
 * it without login; asserts each step (201, a code within 5 s, 201). */
void ob_sign_up_confirmed(const json_t *body);

/* The user id identity gave username's sign-up (onboarding's
 * sign_up_requests.user_id; caller frees); asserts there is one. */
char *ob_sign_up_user_id(const char *username);

/* POST /v1/onboarding-requests/ as token with attributes (a JSON object
 * text); the status, the body into *doc (caller json_decref). */
long ob_request_create(const char *token, const char *attributes, json_t **doc);

/* Signs username (an email address, also where the code goes) up with code,
 * expects 201, and reads the confirmation code from the spool into out
 * (16 bytes). */
void ob_sign_up_and_get_code(const char *code, const char *username, char *out);

/* POST /v1/confirm-sign-up/ for username with confirmation and login;
 * returns the status, the body into r (release it). */
long ob_confirm(struct it_resp *r, const char *username, const char *confirmation, int login);

/* Empties onboarding's anonymous-lookup limit of 127.0.0.1 (sign-up,
 * confirm-sign-up, onboarding-info: SIGN_UP_ADDR_LIMIT a minute), so that
 * other tests' requests do not count in a test and its own not elsewhere.
 * Fits a suite's .init. */
void ob_clear_addr_limit(void);

/* The JSON pointer of the first error of r's body, "" when none. Copies
 * into out (128 bytes). */
void ob_error_pointer(const struct it_resp *r, char *out);

#endif
