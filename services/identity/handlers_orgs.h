/* handlers_orgs.h: organizations (handlers_orgs.c), user-organizations
 * (handlers_user_orgs.c), roles and role-users (handlers_roles.c) and API
 * clients (handlers_api_clients.c), with identity.rpc.GetOrganization.
 *
 * Tenancy (cm_principal.h): the platform admin sees and changes
 * everything. A user sees the organizations they are a member of and their
 * roles; an API client sees its own organization. An organization admin
 * (role "admin" in the token's current organization, or an API client with
 * that role) changes that organization, its memberships, role holders and
 * API clients. Something the caller cannot see answers 404, exactly as if it
 * did not exist; something the caller sees but may not change answers 403. */
#ifndef IDENTITY_HANDLERS_ORGS_H
#define IDENTITY_HANDLERS_ORGS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_service.h"
#include "store_orgs.h"

/* --- organizations (#101-#107 but the logo uploads) --- */

/* GET /v1/organizations/ (#101): the visible organizations, filtered and
 * paged (page[limit] 1..1000, default 25); 200. */
cm_err orgs_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/organizations/ (#102): platform admin only (403 for others);
 * creates the organization and its roles "admin", "provider", "patient";
 * 201, 409 for a taken name. */
cm_err orgs_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/organizations/{id}/ (#103): 200, 404 when not visible. */
cm_err orgs_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/organizations/{id}/ (#104): its admins; theme-id is a uuid, or
 * null or {} for none; 200. */
cm_err orgs_update(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/organizations/{id}/add-user/ (#105): type "organizations",
 * user-id and/or email, optional role-id of this organization; the user
 * becomes a member (idempotent) and gets the role; 201 null. */
cm_err orgs_add_user(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/organizations/{id}/remove-user/ (#107): user-id and/or email of
 * a member; the membership and the user's roles there go; 201 null. */
cm_err orgs_remove_user(struct cm_req *rq, struct cm_resp *out);

/* identity.rpc.GetOrganization: GetOrganizationRequest →
 * GetOrganizationReply; CM_ENOTFOUND for an unknown or malformed id. */
cm_err rpc_get_organization(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len);

/* --- user-organizations (#142, #143) --- */

/* GET /v1/user-organizations/ (#142): memberships the caller may see (their
 * own; all of the organization they administer); 200. */
cm_err user_orgs_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/user-organizations/ (#143): type "user-organizations",
 * organization-id and user-id; 201 with the membership, 409 when it
 * exists. Its id is "<user-id>:<organization-id>". */
cm_err user_orgs_create(struct cm_req *rq, struct cm_resp *out);

/* --- roles (#118-#122) --- */

/* GET /v1/roles/ (#120): roles of the visible organizations; 200. */
cm_err roles_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/roles/{id}/add-user/ (#121, deprecated): type "roles", user-id
 * and/or email of a member of the role's organization; 201 null. */
cm_err roles_add_user(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/roles/{id}/remove-user/ (#122): as add-user; 201 null. */
cm_err roles_remove_user(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/role-users/ (#118): holders of the required role-id; 200. */
cm_err role_users_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/role-users/ (#119): type "role-users", role-id, user-id and/or
 * email; 201 with the role-users resource (integer id), 409 when the user
 * already holds the role. */
cm_err role_users_create(struct cm_req *rq, struct cm_resp *out);

/* --- API clients (not in the seed; routes in ops.c) --- */

/* GET /v1/api-clients/: the API clients of the organization the caller
 * administers (all for the platform admin), filter[organization-id],
 * filter[include-revoked], page; 200, 403 for non-admins. */
cm_err api_clients_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/api-clients/: type "api-clients", name, organization-id (the
 * caller's current organization when not given), roles (names of roles of
 * that organization); 201 with the one showing of "api-key". */
cm_err api_clients_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/api-clients/{id}/: 200, 404 unless the caller administers its
 * organization. */
cm_err api_clients_read(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/api-clients/{id}/rotate-key/: body empty or {}; a new key, the
 * old one stops; 201 with "api-key", 409 for a revoked client. */
cm_err api_clients_rotate_key(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/api-clients/{id}/revoke/: body empty or {}; idempotent; 201. */
cm_err api_clients_revoke(struct cm_req *rq, struct cm_resp *out);

#define API_KEY_BYTES 32     /* random bytes of a key */
#define API_KEY_CHARS 43     /* their base64url, unpadded */
#define API_USER_ID_CHARS 36 /* "api-" + 32 hex digits */

/* A new random key (API_KEY_CHARS + 1 bytes) and API user id
 * (API_USER_ID_CHARS + 1 bytes). */
void api_client_new_credentials(char *key, char *api_user_id);

/* --- shared by the files above --- */

/* What the caller sees (store_orgs.h): all for the platform admin, the
 * memberships of a user, the organization of an API client. */
void orgs_scope_of(const struct cm_req *rq, struct org_scope *out);

/* The organization of the path's {id} into res->items[0] (caller
 * store_org_list_free) when the caller sees it; 404 otherwise. With
 * must_admin, a caller who sees it but does not administer it gets 403.
 * res is empty unless CM_OK. */
cm_err orgs_of_path(struct cm_req *rq, int must_admin, struct org_list *res);

/* Reads the target user of an add/remove body: attributes "user-id" (uuid)
 * and/or "email" (at least one), into *out. member_of ("" for any user)
 * narrows the search to that organization's members. 404 on the attribute
 * when there is no such user, 400 when the email names several. */
cm_err orgs_target_user(struct cm_req *rq, const json_t *attrs, const char *member_of,
                        struct user_ref *out);

/* Who may be found as the target of an add to organization org: any user
 * for the platform admin; for others only members of org ("" or org to
 * member_of, 40 bytes), so that an organization admin cannot discover or
 * pull in people of other tenants (they join through onboarding). */
void orgs_add_scope(const struct cm_req *rq, const char *org, char *member_of);

/* Makes user a member of org and, when role_id is not "", gives them that
 * role (of org), writing MembershipChanged / RoleMembershipChanged for what
 * changed, all in one transaction. *added says whether the membership is
 * new. */
cm_err orgs_membership_add(PGconn *pg, const char *user, const char *org, const char *role_id,
                           int *added);

/* Writes RoleMembershipChanged (IDENTITY_EVT_ROLE + change) to the outbox;
 * call inside the change's transaction. */
cm_err orgs_event_role(PGconn *pg, const char *user, const char *role_id, const char *role_name,
                       const char *org, const char *change);

/* Answers 201 with the document null. */
void orgs_respond_null(struct cm_req *rq, struct cm_resp *out);

#endif
