/* impersonation.h: impersonation requests (#32-#35) and ending one (not in
 * the seed), handlers_impersonation.c.
 *
 * Approval rules, checked when the request is made and again when it is
 * used: the requester is a user (not an API client) in a session that is
 * not itself an impersonation; the platform admin may impersonate any
 * enabled account but a platform admin's; an organization admin only an
 * enabled member of their current organization all of whose organizations
 * they administer (as for changing an account), never a platform admin;
 * nobody themselves. A request that passes is approved at once and usable
 * by its requester, once, for IMPERSONATION_REQUEST_TTL_S. */
#ifndef IDENTITY_IMPERSONATION_H
#define IDENTITY_IMPERSONATION_H

#include "cm_service.h"

#define IMPERSONATION_REQUEST_TTL_S 600 /* an approved request unused this long expires */

/* GET /v1/impersonation-requests/ (#32): filter[created-by],
 * filter[user-id], filter[user-email]; the requests the caller made or that
 * name the caller (all for the platform admin), newest first; 200. */
cm_err imp_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/impersonation-requests/ (#33): type "impersonation-requests",
 * user-id; 201 with the approved request; 403 when the rules above refuse,
 * 404 for a user the caller cannot see, 409 for a disabled account. */
cm_err imp_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/impersonation-requests/{id}/ (#34): 200, 404. */
cm_err imp_read(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/impersonation-requests/{id}/impersonate/ (#35): the requester;
 * access-token-expiration-seconds (0..3600, 0 = default) and
 * refresh-token-expiration-seconds (0..10800); starts a session of the user
 * whose tokens and login info carry impersonated-by, records user activity
 * "imps"; 201 with the login response. 409 when used, ended or expired. */
cm_err imp_impersonate(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/impersonation-requests/{id}/end/ (not in the seed): the
 * requester, the user impersonated or the platform admin (also from the
 * impersonation session itself); revokes the session (the edge refuses its
 * tokens within a second), records "impe"; 201 with the request; 409 when
 * it is not in progress. */
cm_err imp_end(struct cm_req *rq, struct cm_resp *out);

#endif
