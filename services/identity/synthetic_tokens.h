/* synthetic_tokens.h: synthetic user tokens (#130, synthetic_tokens.c). */
#ifndef IDENTITY_SYNTHETIC_TOKENS_H
#define IDENTITY_SYNTHETIC_TOKENS_H

#include "cm_service.h"

/* POST /v1/synthetic-user-tokens/ (#130): the platform admin only (403);
 * body {"data": {user-id (required), organization-id (a membership of the
 * user; default the user's default organization), expiration-secs (1..3600,
 * default 1800), additional-claims [{claim, value}]}}; 201 {"data":
 * {access-token, expiration-secs, expiration-time, session-id}}. The token
 * carries the user's identity, roles and organization as a login would,
 * "imp" = the admin, "synthetic": true and the additional claims (400 for
 * a reserved name); 404 for an unknown or disabled user or a foreign
 * organization. */
cm_err synthetic_tokens_create(struct cm_req *rq, struct cm_resp *out);

#endif
