/* request_grants.h: the grants step of onboarding requests: a request's
 * individual-group-ids (authz.rpc.AddGroupMembers) and provider-roles
 * (identity.rpc.GrantRoles, organization roles by name) given to its
 * account once it is made (auto-sign-up) or the request is claimed. The
 * request row is the intent (grants_applied false, 005_request_grants.sql);
 * both calls are idempotent and the row is marked applied after both
 * answered, so a retry, or the sweeper, applies a lost one again without
 * duplicating anything. */
#ifndef ONBOARDING_REQUEST_GRANTS_H
#define ONBOARDING_REQUEST_GRANTS_H

#include "cm_service.h"
#include "peers.h"

/* Requests of one account applied at once after it is made or claims. */
#define REQUEST_GRANTS_BATCH 10

/* At request creation: checks (nothing written) that every id of groups_json
 * is a group of org (authz) and every name of roles_json a role of org
 * (identity); both JSON arrays of strings, NULL or "[]" for none. CM_EINVAL
 * with the callee's detail and *out_field "individual-group-ids" or
 * "provider-roles"; CM_EUNAVAIL / CM_ETIMEOUT when a peer did not answer. */
cm_err request_grants_check(struct cm_worker *w, const char *org, const char *groups_json,
                            const char *roles_json, const char **out_field,
                            char detail[PEER_DETAIL_MAX]);

/* Applies the grants due (store_req_grants_due) of account user_id ("" any),
 * up to limit requests. A group or role that is gone by now (CM_EINVAL) is
 * logged and skipped; a peer that did not answer leaves the request due.
 * Returns the first error (CM_OK when every due request was applied). */
cm_err request_grants_apply(struct cm_worker *w, const char *user_id, long limit);

#endif
