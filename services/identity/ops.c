/* ops.c: the operations of the API documents owned by identity, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). */
#include "handlers.h"

const struct cm_op identity_ops[] = {
    {"POST", "/v1/authenticate/", "authenticate", NULL}, /* #9 */
    {"POST", "/v1/confirm-forgot-password/", "confirm-forgot-password", NULL}, /* #16 */
    {"GET", "/v1/api-clients/", "api-clients.list", NULL}, /* not in the seed */
    {"POST", "/v1/api-clients/", "api-clients.create", NULL}, /* not in the seed */
    {"GET", "/v1/api-clients/{id}/", "api-clients.read", NULL}, /* not in the seed */
    {"POST", "/v1/api-clients/{id}/rotate-key/", "api-clients.rotate-key", NULL}, /* not in the seed */
    {"POST", "/v1/api-clients/{id}/revoke/", "api-clients.revoke", NULL}, /* not in the seed */
    {"GET", "/v1/features/", "features.list", NULL}, /* #23 */
    {"POST", "/v1/features/", "features.create", NULL}, /* #24 */
    {"GET", "/v1/features/{id}/", "features.read", NULL}, /* #25 */
    {"PATCH", "/v1/features/{id}/", "features.update", NULL}, /* #26 */
    {"POST", "/v1/features/{id}/add-users/", "features.add-users", NULL}, /* #27 */
    {"POST", "/v1/features/{id}/remove-users/", "features.remove-users", NULL}, /* #28 */
    {"POST", "/v1/forgot-password/", "forgot-password", NULL}, /* not in the seed */
    {"GET", "/v1/impersonation-requests/", "impersonation-requests.list", NULL}, /* #32 */
    {"POST", "/v1/impersonation-requests/", "impersonation-requests.create", NULL}, /* #33 */
    {"GET", "/v1/impersonation-requests/{id}/", "impersonation-requests.read", NULL}, /* #34 */
    {"POST", "/v1/impersonation-requests/{id}/impersonate/", "impersonation-requests.impersonate", NULL}, /* #35 */
    {"POST", "/v1/internal-auth/", "internal-auth.create", NULL}, /* #53 */
    {"POST", "/v1/login/", "login", NULL}, /* #54 */
    {"GET", "/v1/mfa-totp/", "mfa-totp.list", NULL}, /* #55 */
    {"POST", "/v1/mfa-totp/", "mfa-totp.create", NULL}, /* #56 */
    {"DELETE", "/v1/mfa-totp/{id}/", "mfa-totp.delete", NULL}, /* #57 */
    {"POST", "/v1/mfa-totp/{id}/disable/", "mfa-totp.disable", NULL}, /* #58 */
    {"POST", "/v1/mfa-totp/{id}/enable/", "mfa-totp.enable", NULL}, /* #59 */
    {"GET", "/v1/oauth2-client-settings/", "oauth2-client-settings.list", NULL}, /* #60 */
    {"POST", "/v1/oauth2-client-settings/", "oauth2-client-settings.create", NULL}, /* #61 */
    {"GET", "/v1/oauth2-client-settings/{id}/", "oauth2-client-settings.read", NULL}, /* #62 */
    {"PATCH", "/v1/oauth2-client-settings/{id}/", "oauth2-client-settings.update", NULL}, /* #63 */
    {"POST", "/v1/oauth2-client-settings/{id}/reset-secret/", "oauth2-client-settings.reset-secret", NULL}, /* #64 */
    {"GET", "/v1/oauth2-launcher/", "oauth2-launcher", NULL}, /* #65 */
    {"GET", "/v1/oauth2-redirector/", "oauth2-redirector", NULL}, /* #66 */
    {"POST", "/v1/oauth2-tokens/", "oauth2-tokens", NULL}, /* #67 */
    {"GET", "/v1/organization-features/", "organization-features.list", NULL}, /* #85 */
    {"POST", "/v1/organization-features/", "organization-features.create", NULL}, /* #86 */
    {"GET", "/v1/organization-features/{id}/", "organization-features.read", NULL}, /* #87 */
    {"PATCH", "/v1/organization-features/{id}/", "organization-features.update", NULL}, /* #88 */
    {"GET", "/v1/organization-themes/", "organization-themes.list", NULL}, /* #97 */
    {"POST", "/v1/organization-themes/", "organization-themes.create", NULL}, /* #98 */
    {"GET", "/v1/organization-themes/{id}/", "organization-themes.read", NULL}, /* #99 */
    {"PATCH", "/v1/organization-themes/{id}/", "organization-themes.update", NULL}, /* #100 */
    {"GET", "/v1/organizations/", "organizations.list", NULL}, /* #101 */
    {"POST", "/v1/organizations/", "organizations.create", NULL}, /* #102 */
    {"GET", "/v1/organizations/{id}/", "organizations.read", NULL}, /* #103 */
    {"PATCH", "/v1/organizations/{id}/", "organizations.update", NULL}, /* #104 */
    {"POST", "/v1/organizations/{id}/add-user/", "organizations.add-user", NULL}, /* #105 */
    {"POST", "/v1/organizations/{id}/process-logo-upload/", "organizations.process-logo-upload", NULL}, /* #106 */
    {"POST", "/v1/organizations/{id}/remove-user/", "organizations.remove-user", NULL}, /* #107 */
    {"POST", "/v1/organizations/{id}/upload-logo/", "organizations.upload-logo", NULL}, /* #108 */
    {"POST", "/v1/password-strength/", "password-strength", password_strength}, /* #109 */
    {"POST", "/v1/refresh-token/", "refresh-token", NULL}, /* #111 */
    {"GET", "/v1/replicators/", "replicators.list", NULL}, /* #115 */
    {"GET", "/v1/replicators/{id}/", "replicators.read", NULL}, /* #116 */
    {"GET", "/v1/role-users/", "role-users.list", NULL}, /* #118 */
    {"POST", "/v1/role-users/", "role-users.create", NULL}, /* #119 */
    {"GET", "/v1/roles/", "roles.list", NULL}, /* #120 */
    {"POST", "/v1/roles/{id}/add-user/", "roles.add-user", NULL}, /* #121 */
    {"POST", "/v1/roles/{id}/remove-user/", "roles.remove-user", NULL}, /* #122 */
    {"POST", "/v1/saml-acs/{id}/acs/", "saml-acs.acs", NULL}, /* #123 */
    {"GET", "/v1/saml-acs/{id}/logout/", "saml-acs.logout", NULL}, /* #124 */
    {"GET", "/v1/saml-login/", "saml-login", NULL}, /* #125 */
    {"GET", "/v1/sessions/{id}/", "sessions.read", NULL}, /* #128 */
    {"POST", "/v1/synthetic-user-tokens/", "synthetic-user-tokens", NULL}, /* #130 */
    {"GET", "/v1/user-activities/", "user-activities", NULL}, /* #135 */
    {"GET", "/v1/user-features/", "user-features.list", NULL}, /* #138 */
    {"POST", "/v1/user-features/", "user-features.create", NULL}, /* #139 */
    {"GET", "/v1/user-features/{id}/", "user-features.read", NULL}, /* #140 */
    {"PATCH", "/v1/user-features/{id}/", "user-features.update", NULL}, /* #141 */
    {"GET", "/v1/user-organizations/", "user-organizations.list", NULL}, /* #142 */
    {"POST", "/v1/user-organizations/", "user-organizations.create", NULL}, /* #143 */
    {"GET", "/v1/user-replications/", "user-replications.list", NULL}, /* #144 */
    {"POST", "/v1/user-replications/", "user-replications.create", NULL}, /* #145 */
    {"GET", "/v1/users/", "users.list", NULL}, /* #146 */
    {"GET", "/v1/users/{id}/", "users.read", NULL}, /* #147 */
    {"PATCH", "/v1/users/{id}/", "users.update", NULL}, /* #148 */
    {"POST", "/v1/users/{id}/change-email/", "users.change-email", NULL}, /* #149 */
    {"POST", "/v1/users/{id}/change-password/", "users.change-password", NULL}, /* #150 */
    {"POST", "/v1/users/{id}/confirm-phone/", "users.confirm-phone", NULL}, /* #151 */
    {"POST", "/v1/users/{id}/delete-service-document-agreements/", "users.delete-service-document-agreements", NULL}, /* #152 */
    {"POST", "/v1/users/{id}/disable/", "users.disable", NULL}, /* #153 */
    {"POST", "/v1/users/{id}/enable/", "users.enable", NULL}, /* #154 */
    {"POST", "/v1/users/{id}/switch-organization/", "users.switch-organization", NULL}, /* #155 */
    {"POST", "/v2/internal-auth/", "internal-auth.create.v2", NULL}, /* #158 */
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc identity_rpcs[] = {
    {"AuthenticateApiKey", rpc_authenticate_api_key},
    {NULL, NULL},
};
