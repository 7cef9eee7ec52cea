/* handlers_auth.h: login, tokens, sessions, user activities and password
 * reset (handlers_auth*.c), and the token RPCs. Passwords, codes and tokens
 * are never logged. */
#ifndef IDENTITY_HANDLERS_AUTH_H
#define IDENTITY_HANDLERS_AUTH_H

#include "cm_service.h"

/* POST /v1/login/ (#54): username, password and the seed's options; 201
 * with LoginInfo, access-token, id-token, refresh-token, expires-in,
 * token-type and redirect-url null. 401 for a wrong username or password
 * (or TOTP code: pointer /totp-code), 403 for a disabled or unconfirmed
 * account (after the right password), 429 while throttled, 423 while
 * locked (login_throttle.h). */
cm_err auth_login(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/refresh-token/ (#111): rotates refresh-token; 201 as login with
 * the new refresh-token. A reused token revokes its session (SessionRevoked,
 * reason "refresh_reuse"); unknown, expired, reused and revoked tokens are
 * 401, a disabled user 403. */
cm_err auth_refresh(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/authenticate/ (#9): {"data": {email, organization-id, roles,
 * session-id, user-id}} of the caller; 401 without credentials. */
cm_err auth_authenticate(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/sessions/{id}/ (#128): one's own session, or any for the
 * platform admin (else 404); 200 with expiration-time, user-id and
 * login-info (when include-login-info=true, else null). */
cm_err auth_session_read(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/users/{id}/switch-organization/ (#155): the caller only, to an
 * organization they belong to (else 404); a new session there, 201 as
 * login; set-default makes it the default organization. */
cm_err auth_switch_organization(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/user-activities/ (#135): login and refresh records, newest
 * first: all for the platform admin, the organization's users for an
 * organization admin, one's own for a user; 200. */
cm_err auth_user_activities(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/forgot-password/ (not in the seed): queues a reset code for the
 * enabled user username's verified email or phone (code_mail.h); 201
 * {"data": null} as fast whether or not the username exists, so nobody
 * learns whether it does; 429 with Retry-After past the hourly bounds per
 * username and per client address (known or not alike). */
cm_err auth_forgot_password(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/confirm-forgot-password/ (#16): sets a new password with the
 * code, revoking every session of the user; 201 {"login-error": null} plus
 * the login response when login is true (or login-error {code, detail,
 * status} when that login cannot finish). 400 at /confirmation-code for a
 * wrong or expired code, at /password for a password the policy refuses;
 * 429 with Retry-After once the username or the client address has had its
 * wrong codes of the hour (handlers_auth_reset.c). */
cm_err auth_confirm_forgot_password(struct cm_req *rq, struct cm_resp *out);

/* identity.rpc.IssueTokens: IssueTokensRequest → IssueTokensReply, a
 * session for a registered, enabled user without a password; CM_ENOTFOUND
 * for an unknown user, CM_EDENIED for a disabled or unconfirmed one. */
cm_err rpc_issue_tokens(struct cm_worker *w, const Envelope__RpcRequest *req,
                        uint8_t **out_payload, size_t *out_len);

/* identity.rpc.GetSigningKeys: GetSigningKeysRequest → GetSigningKeysReply,
 * the signing key first, then the other unretired keys of signing_keys,
 * newest first (tokens they signed stay verifiable until they expire).
 * In signing_keys.c. */
cm_err rpc_get_signing_keys(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len);

/* ---- shared by handlers_auth*.c ---- */

/* Writes SessionRevoked for one session (revoked at unix seconds at, with
 * reason) to the outbox, in the caller's transaction; the edge then refuses
 * its tokens. */
cm_err auth_session_revoked_event(PGconn *pg, const char *session_id, const char *user_id,
                                  const char *reason, int64_t at);

/* Answers 201 with body (stolen). */
void auth_respond(struct cm_req *rq, struct cm_resp *out, json_t *body);

/* Bounds of login (and of sessions made without a login). */
struct login_opts {
    int access_ttl_s;
    int refresh_ttl_s;
    int interactive;
    const char *locale; /* NULL: leave it */
    int64_t expect_gen;   /* 0, or the user's token generation read with the password
                           * checked: a revocation since then voids the login */
    const char *addr;     /* the client's address (client_addr.h) for a password login, or NULL */
};

/* The login of user_id after its credentials passed (password, or none for
 * IssueTokens and a reset): refuses a disabled (CM_EDENIED, "account
 * disabled") or unconfirmed one (CM_EDENIED, "account not confirmed"),
 * applies the TOTP check when check_mfa (CM_EUNAUTH with detail "totp code
 * required" or "totp code is wrong"; a wrong code counts as a failed login
 * of username), then starts the session in one transaction: *out is the
 * login response. A revocation of the user (disable, password change...)
 * committed since the credentials were checked (o->expect_gen, else this
 * function's own read) refuses it: CM_EUNAUTH. The refusal's detail goes to detail (128 bytes) and
 * pointer (32 bytes, "" when none). */
cm_err auth_finish_login(struct cm_worker *w, const char *user_id, const char *username,
                         const struct login_opts *o, int check_mfa, const char *totp_code,
                         char *detail, char *pointer, json_t **out);

/* ---- input of user-activities (handlers_auth_input.c, pure) ---- */

enum { AUTH_EVT_LOGIN = 1, AUTH_EVT_REFR = 2, AUTH_EVT_SREG = 4, AUTH_EVT_IMPS = 8, AUTH_EVT_IMPE = 16 };


/* Adds the comma-separated event types of s ("login", "refr", "sreg") to
 * *mask. CM_EINVAL for an empty item or any other value. */
cm_err auth_event_types_parse(const char *s, unsigned *mask);

/* The Postgres array literal of mask ("{login,refr}") into buf (cap >= 32);
 * "" when mask is 0. */
void auth_event_types_literal(unsigned mask, char *buf, size_t cap);

#endif
