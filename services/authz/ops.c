/* ops.c: the operations of the API documents owned by authz, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). Operations that write go through
 * handlers_settled.h (read-your-writes on every copy). */
#include "handlers.h"
#include "privacy_rpc.h"

const struct cm_op authz_ops[] = {
    {"POST", "/v1/authz-get-accessible-resources/", "authz-get-accessible-resources", authz_accessible_resources}, /* #10 */
    {"GET", "/v1/authz-individuals/", "authz-individuals", authz_individuals}, /* #11 */
    {"POST", "/v1/authz-resource-access/", "authz-resource-access", authz_resource_access}, /* #12 */
    {"GET", "/v1/authz-resource-accessors/", "authz-resource-accessors", authz_resource_accessors}, /* #13 */
    {"GET", "/v1/authz-user-status/{id}/", "authz-user-status.read", authz_user_status}, /* #14 */
    {"POST", "/v1/bulk-authz-resource-access/", "bulk-authz-resource-access", authz_bulk_resource_access}, /* #15 */
    {"GET", "/v1/individual-group-individuals/", "individual-group-individuals", group_individuals_list}, /* #36 */
    {"GET", "/v1/individual-group-leaders/", "individual-group-leaders", group_leaders_list}, /* #37 */
    {"GET", "/v1/individual-group-logs/", "individual-group-logs", group_logs_list}, /* #38 */
    {"GET", "/v1/individual-groups/", "individual-groups.list", groups_list_v1}, /* #39 */
    {"POST", "/v1/individual-groups/", "individual-groups.create", groups_create_settled}, /* #40 */
    {"GET", "/v1/individual-groups/{id}/", "individual-groups.read", groups_read_v1}, /* #41 */
    {"PATCH", "/v1/individual-groups/{id}/", "individual-groups.update", groups_update_settled}, /* #42 */
    {"POST", "/v1/individual-groups/{id}/add-individuals/", "individual-groups.add-individuals", groups_add_individuals_settled}, /* #43 */
    {"POST", "/v1/individual-groups/{id}/add-leaders/", "individual-groups.add-leaders", groups_add_leaders_settled}, /* #44 */
    {"POST", "/v1/individual-groups/{id}/add-members/", "individual-groups.add-members", groups_add_members_settled}, /* #45 */
    {"GET", "/v1/individual-groups/{id}/eligible-members/", "individual-groups.eligible-members", groups_eligible_members}, /* #46 */
    {"POST", "/v1/individual-groups/{id}/move-group/", "individual-groups.move-group", groups_move_settled}, /* #47 */
    {"POST", "/v1/individual-groups/{id}/remove-individuals/", "individual-groups.remove-individuals", groups_remove_individuals_settled}, /* #48 */
    {"POST", "/v1/individual-groups/{id}/remove-leaders/", "individual-groups.remove-leaders", groups_remove_leaders_settled}, /* #49 */
    {"POST", "/v1/individual-groups/{id}/remove-members/", "individual-groups.remove-members", groups_remove_members_settled}, /* #50 */
    {"POST", "/v1/individuals/", "individuals.create", individuals_create_settled}, /* #51 */
    {"GET", "/v1/individuals/{id}/", "individuals.read", individuals_read}, /* #52 */
    {"GET", "/v2/individual-groups/", "individual-groups.list.v2", groups_list_v2}, /* #156 */
    {"GET", "/v2/individual-groups/{id}/", "individual-groups.read.v2", groups_read_v2}, /* #157 */
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc authz_rpcs[] = {
    {"Repopulate", rpc_repopulate},
    {"Check", authz_rpc_check},
    {"CheckBatch", authz_rpc_check_batch},
    {"PrivacyGroups", authz_rpc_privacy_groups},
    {"PrivacyParticipant", authz_rpc_privacy_participant},
    {"PrivacyUserGroups", authz_rpc_privacy_user_groups},
    {"PrivacyIndividuals", authz_rpc_privacy_individuals},
    {"Purge", authz_rpc_purge},
    {"AddGroupMembers", authz_rpc_add_group_members}, /* members_rpc.c */
    {NULL, NULL},
};
