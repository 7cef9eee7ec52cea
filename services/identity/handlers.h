/* handlers.h: the identity daemon's operation and RPC tables, and its handlers.
 * identity owns accounts, organizations, authentication, sessions and tokens, roles, features, API clients. */
#ifndef IDENTITY_HANDLERS_H
#define IDENTITY_HANDLERS_H

#include "cm_service.h"
#include "export_rpc.h"
#include "features.h"
#include "impersonation.h"
#include "internal_auth.h"
#include "replication.h"
#include "themes.h"
#include "synthetic_tokens.h"
#include "handlers_auth.h"
#include "handlers_mfa.h"
#include "handlers_orgs.h"
#include "handlers_users.h"

/* Events identity publishes (through its outbox, cm_outbox.h). */
#define IDENTITY_EVT_API_CLIENT_CHANGED "evt.identity.api_client.changed" /* ApiClientChanged */
/* UserChanged: IDENTITY_EVT_USER "created" → "evt.identity.user.created" (also updated,
 * disabled, enabled, confirmed, password_changed) */
#define IDENTITY_EVT_USER "evt.identity.user."
#define IDENTITY_EVT_ORGANIZATION "evt.identity.organization." /* OrganizationChanged: created, updated */
#define IDENTITY_EVT_MEMBERSHIP "evt.identity.membership."     /* MembershipChanged: added, removed */
#define IDENTITY_EVT_ROLE "evt.identity.role."                 /* RoleMembershipChanged: added, removed */
#define IDENTITY_EVT_SESSION_REVOKED "evt.identity.session.revoked" /* SessionRevoked */

/* Every operation of the API documents that identity owns; handler NULL = 501. */
extern const struct cm_op identity_ops[];

/* Typed RPCs served on "identity.rpc.<Method>". */
extern const struct cm_rpc identity_rpcs[];

/* identity.rpc.AuthenticateApiKey: AuthenticateApiKeyRequest → AuthenticateApiKeyReply
 * whose principal carries the client's organization and role names,
 * CM_EDENIED for an unknown, wrong or revoked credential. */
cm_err rpc_authenticate_api_key(struct cm_worker *w, const Envelope__RpcRequest *req,
                                uint8_t **out_payload, size_t *out_len);

/* identity.rpc.GrantRoles (grant_roles_rpc.c): GrantRolesRequest →
 * GrantRolesReply, organization roles given by name (onboarding requests'
 * provider-roles). */
cm_err rpc_grant_roles(struct cm_worker *w, const Envelope__RpcRequest *req, uint8_t **out_payload,
                       size_t *out_len);

/* POST /v1/password-strength/ (#109): rates a password; 201. */
cm_err password_strength(struct cm_req *rq, struct cm_resp *out);

/* Start-up work after migrations: loads the TOTP keys and re-seals
 * (totp_keys.h); makes sure the platform admin
 * BOOTSTRAP_ADMIN_EMAIL exists with BOOTSTRAP_ADMIN_PASSWORD
 * (bootstrap_admin.h); makes sure BOOTSTRAP_API_USER exists with
 * BOOTSTRAP_API_KEY. Each change writes its event (UserChanged,
 * IDENTITY_EVT_API_CLIENT_CHANGED) to the outbox in the same transaction; no
 * event when nothing changed. */
cm_err identity_on_start(const struct cm_config *cfg, PGconn *pg);

#endif
