/* ops.c: the operations of the API documents owned by identity, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). */
#include "agreements_check.h"
#include "purge_rpc.h"
#include "handlers.h"
#include "clinical_rpc.h"
#include "handlers_oauth2.h"
#include "handlers_saml.h"

const struct cm_op identity_ops[] = {
    {"POST", "/v1/authenticate/", "authenticate", auth_authenticate}, /* #9 */
    {"POST", "/v1/confirm-forgot-password/", "confirm-forgot-password", auth_confirm_forgot_password}, /* #16 */
    {"GET", "/v1/api-clients/", "api-clients.list", api_clients_list}, /* not in the seed */
    {"POST", "/v1/api-clients/", "api-clients.create", api_clients_create}, /* not in the seed */
    {"GET", "/v1/api-clients/{id}/", "api-clients.read", api_clients_read}, /* not in the seed */
    {"POST", "/v1/api-clients/{id}/rotate-key/", "api-clients.rotate-key", api_clients_rotate_key}, /* not in the seed */
    {"POST", "/v1/api-clients/{id}/revoke/", "api-clients.revoke", api_clients_revoke}, /* not in the seed */
    {"GET", "/v1/features/", "features.list", features_list}, /* #23 */
    {"POST", "/v1/features/", "features.create", features_create}, /* #24 */
    {"GET", "/v1/features/{id}/", "features.read", features_read}, /* #25 */
    {"PATCH", "/v1/features/{id}/", "features.update", features_update}, /* #26 */
    {"POST", "/v1/features/{id}/add-users/", "features.add-users", features_add_users}, /* #27 */
    {"POST", "/v1/features/{id}/remove-users/", "features.remove-users", features_remove_users}, /* #28 */
    {"POST", "/v1/forgot-password/", "forgot-password", auth_forgot_password}, /* not in the seed */
    {"GET", "/v1/impersonation-requests/", "impersonation-requests.list", imp_list}, /* #32 */
    {"POST", "/v1/impersonation-requests/", "impersonation-requests.create", imp_create}, /* #33 */
    {"GET", "/v1/impersonation-requests/{id}/", "impersonation-requests.read", imp_read}, /* #34 */
    {"POST", "/v1/impersonation-requests/{id}/impersonate/", "impersonation-requests.impersonate", imp_impersonate}, /* #35 */
    {"POST", "/v1/impersonation-requests/{id}/end/", "impersonation-requests.end", imp_end}, /* not in the seed */
    {"POST", "/v1/internal-auth/", "internal-auth.create", internal_auth_v1}, /* #53 */
    {"POST", "/v1/login/", "login", auth_login}, /* #54 */
    {"GET", "/v1/mfa-totp/", "mfa-totp.list", mfa_totp_list}, /* #55 */
    {"POST", "/v1/mfa-totp/", "mfa-totp.create", mfa_totp_create}, /* #56 */
    {"DELETE", "/v1/mfa-totp/{id}/", "mfa-totp.delete", mfa_totp_delete}, /* #57 */
    {"POST", "/v1/mfa-totp/{id}/disable/", "mfa-totp.disable", mfa_totp_disable}, /* #58 */
    {"POST", "/v1/mfa-totp/{id}/enable/", "mfa-totp.enable", mfa_totp_enable}, /* #59 */
    {"GET", "/v1/oauth2-client-settings/", "oauth2-client-settings.list", oauth2_settings_list}, /* #60 */
    {"POST", "/v1/oauth2-client-settings/", "oauth2-client-settings.create", oauth2_settings_create}, /* #61 */
    {"GET", "/v1/oauth2-client-settings/{id}/", "oauth2-client-settings.read", oauth2_settings_read}, /* #62 */
    {"PATCH", "/v1/oauth2-client-settings/{id}/", "oauth2-client-settings.update", oauth2_settings_update}, /* #63 */
    {"POST", "/v1/oauth2-client-settings/{id}/reset-secret/", "oauth2-client-settings.reset-secret", oauth2_settings_reset_secret}, /* #64 */
    {"GET", "/v1/oauth2-launcher/", "oauth2-launcher", oauth2_launcher}, /* #65 */
    {"GET", "/v1/oauth2-redirector/", "oauth2-redirector", oauth2_redirector}, /* #66 */
    {"POST", "/v1/oauth2-tokens/", "oauth2-tokens", oauth2_tokens}, /* #67 */
    {"GET", "/v1/organization-features/", "organization-features.list", org_features_list}, /* #85 */
    {"POST", "/v1/organization-features/", "organization-features.create", org_features_create}, /* #86 */
    {"GET", "/v1/organization-features/{id}/", "organization-features.read", org_features_read}, /* #87 */
    {"PATCH", "/v1/organization-features/{id}/", "organization-features.update", org_features_update}, /* #88 */
    {"GET", "/v1/organization-themes/", "organization-themes.list", themes_list}, /* #97 */
    {"POST", "/v1/organization-themes/", "organization-themes.create", themes_create}, /* #98 */
    {"GET", "/v1/organization-themes/{id}/", "organization-themes.read", themes_read}, /* #99 */
    {"PATCH", "/v1/organization-themes/{id}/", "organization-themes.update", themes_update}, /* #100 */
    {"GET", "/v1/organizations/", "organizations.list", orgs_list}, /* #101 */
    {"POST", "/v1/organizations/", "organizations.create", orgs_create}, /* #102 */
    {"GET", "/v1/organizations/{id}/", "organizations.read", orgs_read}, /* #103 */
    {"PATCH", "/v1/organizations/{id}/", "organizations.update", orgs_update}, /* #104 */
    {"POST", "/v1/organizations/{id}/add-user/", "organizations.add-user", orgs_add_user}, /* #105 */
    {"POST", "/v1/organizations/{id}/process-logo-upload/", "organizations.process-logo-upload", logos_process}, /* #106 */
    {"POST", "/v1/organizations/{id}/remove-user/", "organizations.remove-user", orgs_remove_user}, /* #107 */
    {"POST", "/v1/organizations/{id}/upload-logo/", "organizations.upload-logo", logos_upload}, /* #108 */
    {"PUT", "/v1/organizations/{id}/logo-uploads/{upload}/", "organizations.logo-uploads.put", logos_put}, /* not in the seed */
    {"GET", "/v1/organizations/{id}/logo/", "organizations.logo", logos_read}, /* not in the seed */
    {"POST", "/v1/password-strength/", "password-strength", password_strength}, /* #109 */
    {"POST", "/v1/refresh-token/", "refresh-token", auth_refresh}, /* #111 */
    {"GET", "/v1/replicators/", "replicators.list", replicators_list}, /* #115 */
    {"GET", "/v1/replicators/{id}/", "replicators.read", replicators_read}, /* #116 */
    {"GET", "/v1/role-users/", "role-users.list", role_users_list}, /* #118 */
    {"POST", "/v1/role-users/", "role-users.create", role_users_create}, /* #119 */
    {"GET", "/v1/roles/", "roles.list", roles_list}, /* #120 */
    {"POST", "/v1/roles/{id}/add-user/", "roles.add-user", roles_add_user}, /* #121 */
    {"POST", "/v1/roles/{id}/remove-user/", "roles.remove-user", roles_remove_user}, /* #122 */
    {"POST", "/v1/saml-acs/{id}/acs/", "saml-acs.acs", saml_acs}, /* #123 */
    {"GET", "/v1/saml-acs/{id}/logout/", "saml-acs.logout", saml_logout}, /* #124 */
    {"GET", "/v1/saml-login/", "saml-login", saml_login}, /* #125 */
    {"GET", "/v1/sessions/{id}/", "sessions.read", auth_session_read}, /* #128 */
    {"POST", "/v1/synthetic-user-tokens/", "synthetic-user-tokens", synthetic_tokens_create}, /* #130 */
    {"GET", "/v1/user-activities/", "user-activities", auth_user_activities}, /* #135 */
    {"GET", "/v1/user-features/", "user-features.list", user_features_list}, /* #138 */
    {"POST", "/v1/user-features/", "user-features.create", user_features_create}, /* #139 */
    {"GET", "/v1/user-features/{id}/", "user-features.read", user_features_read}, /* #140 */
    {"PATCH", "/v1/user-features/{id}/", "user-features.update", user_features_update}, /* #141 */
    {"GET", "/v1/user-organizations/", "user-organizations.list", user_orgs_list}, /* #142 */
    {"POST", "/v1/user-organizations/", "user-organizations.create", user_orgs_create}, /* #143 */
    {"GET", "/v1/user-replications/", "user-replications.list", replications_list}, /* #144 */
    {"POST", "/v1/user-replications/", "user-replications.create", replications_create}, /* #145 */
    {"GET", "/v1/users/", "users.list", users_list}, /* #146 */
    {"GET", "/v1/users/{id}/", "users.read", users_read}, /* #147 */
    {"PATCH", "/v1/users/{id}/", "users.update", users_update}, /* #148 */
    {"POST", "/v1/users/{id}/change-email/", "users.change-email", users_change_email}, /* #149 */
    {"POST", "/v1/users/{id}/change-password/", "users.change-password", users_change_password}, /* #150 */
    {"POST", "/v1/users/{id}/confirm-phone/", "users.confirm-phone", users_confirm_phone}, /* #151 */
    {"POST", "/v1/users/{id}/delete-service-document-agreements/", "users.delete-service-document-agreements", users_delete_agreements}, /* #152 */
    {"POST", "/v1/users/{id}/disable/", "users.disable", users_disable}, /* #153 */
    {"POST", "/v1/users/{id}/enable/", "users.enable", users_enable}, /* #154 */
    {"POST", "/v1/users/{id}/switch-organization/", "users.switch-organization", auth_switch_organization}, /* #155 */
    {"POST", "/v1/users/{id}/verify-email/", "users.verify-email", users_verify_email}, /* not in the seed */
    {"POST", "/v2/internal-auth/", "internal-auth.create.v2", internal_auth_v2}, /* #158 */
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc identity_rpcs[] = {
    {"AuthenticateApiKey", rpc_authenticate_api_key},
    {"CreateAccount", rpc_create_account},
    {"ConfirmAccount", rpc_confirm_account},
    {"GetSigningKeys", rpc_get_signing_keys},
    {"IssueTokens", rpc_issue_tokens},
    {"GetOrganization", rpc_get_organization},
    {"ExportUsers", rpc_export_users},
    {"ClinicalOrgs", rpc_clinical_orgs},                     /* clinical_orgs_rpc.c */
    {"ClinicalCreateAccount", rpc_clinical_create_account}, /* clinical_accounts_rpc.c */
    {"ClinicalGetAccounts", rpc_clinical_get_accounts},
    {"ClinicalUpdateAccount", rpc_clinical_update_account},
    {"GetFeatures", rpc_get_features},
    {"ListUserReplications", rpc_list_user_replications},
    {"RecordUserReplication", rpc_record_user_replication},
    {"VerifyPassword", rpc_verify_password}, /* purge_rpc.c: deletion saga */
    {"Purge", rpc_purge},
    {"GrantRoles", rpc_grant_roles}, /* grant_roles_rpc.c */
    {NULL, NULL},
};
