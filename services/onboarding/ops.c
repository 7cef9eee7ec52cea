/* ops.c: the operations of the API documents owned by onboarding, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). */
#include "agreements.h"
#include "handlers.h"
#include "purge_rpc.h"

const struct cm_op onboarding_ops[] = {
    {"POST", "/v1/confirm-sign-up/", "confirm-sign-up", confirm_sign_up}, /* #17 */
    {"POST", "/v1/onboarding-info/", "onboarding-info", onboarding_info}, /* #68 */
    {"GET", "/v1/onboarding-requests/", "onboarding-requests.list", requests_list}, /* #69 */
    {"POST", "/v1/onboarding-requests/", "onboarding-requests.create", requests_create}, /* #70 */
    {"GET", "/v1/onboarding-requests/{id}/", "onboarding-requests.read", requests_read}, /* #71 */
    {"PATCH", "/v1/onboarding-requests/{id}/", "onboarding-requests.update", requests_update}, /* #72 */
    {"POST", "/v1/onboarding-requests/{id}/resend-notifications/", "onboarding-requests.resend-notifications", requests_resend}, /* #73 */
    {"POST", "/v1/onboarding-texts/{id}/update-status/", "onboarding-texts.update-status", onboarding_texts_update_status}, /* #74 */
    {"GET", "/v1/organization-code-info/{id}/", "organization-code-info.read", code_info}, /* #75 */
    {"GET", "/v1/organization-codes/", "organization-codes.list", codes_list}, /* #76 */
    {"POST", "/v1/organization-codes/", "organization-codes.create", codes_create}, /* #77 */
    {"GET", "/v1/organization-codes/{id}/", "organization-codes.read", codes_read}, /* #78 */
    {"PATCH", "/v1/organization-codes/{id}/", "organization-codes.update", codes_update}, /* #79 */
    {"GET", "/v1/organization-codes/{id}/users/", "organization-codes.users", codes_users}, /* #80 */
    {"GET", "/v1/registration-invitations/", "registration-invitations.list", reg_invitations_list}, /* #112 */
    {"POST", "/v1/registration-invitations/", "registration-invitations.create", reg_invitations_create}, /* #113 */
    {"GET", "/v1/registration-invitations/{id}/", "registration-invitations.read", reg_invitations_read}, /* #114 */
    {"POST", "/v1/resend-invitation/", "resend-invitation", resend_invitation}, /* #117 */
    {"GET", "/v1/service-documents/", "service-documents.list", service_documents_list}, /* #126 */
    {"GET", "/v1/service-documents/{id}/", "service-documents.read", service_documents_read}, /* #127 */
    {"POST", "/v1/sign-up/", "sign-up", sign_up}, /* #129 */
    {"GET", "/v1/user-checkins/", "user-checkins.list", checkins_list}, /* #136 */
    {"POST", "/v1/user-checkins/", "user-checkins.create", checkins_create}, /* #137 */
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc onboarding_rpcs[] = {
    {"CheckAgreements", rpc_check_agreements},   /* agreements.h */
    {"DeleteAgreements", rpc_delete_agreements}, /* agreements.h */
    {"Purge", onboarding_rpc_purge}, /* purge_rpc.c: the deletion saga's step */
    {NULL, NULL},
};
