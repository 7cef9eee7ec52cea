/* ops.c: the operations of the API documents owned by privacy, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). */
#include "handlers.h"

const struct cm_op privacy_ops[] = {
    /* privacy API (seed 000) */
    {"POST", "/configure/groups/{groupID}/privacy", "groups.privacy", configure_group_privacy_set},
    {"POST", "/configure/participants/{externalID}/privacy", "participants.privacy", configure_participant_privacy_set},
    /* additions: the reads the seed mentions, the groups' numbers, the participant's own level */
    {"GET", "/configure/groups/{groupID}/privacy", "groups.privacy.read", configure_group_privacy_get},
    {"GET", "/configure/participants/{externalID}/privacy", "participants.privacy.read", configure_participant_privacy_get},
    {"GET", "/configure/groups", "groups.list", configure_groups_list},
    {"GET", "/configure/me/privacy", "me.privacy.read", me_privacy_get},
    {"POST", "/configure/me/privacy", "me.privacy", me_privacy_set},
    /* identity API document (seed 002), resources owned by privacy */
    {"POST", "/v1/aggregation-requests/", "aggregation-requests", aggregation_create}, /* #1 */
    {"GET", "/v1/aggregation-requests/{id}/", "aggregation-requests.read", aggregation_read}, /* addition: #1's result */
    {"POST", "/v1/anonymous-accesses/", "anonymous-accesses.create", anon_create}, /* #2 */
    {"GET", "/v1/anonymous-accesses/{id}/", "anonymous-accesses.read", anon_read}, /* #3 */
    {"PATCH", "/v1/anonymous-accesses/{id}/", "anonymous-accesses.update", anon_update}, /* #4 */
    {"POST", "/v1/anonymous-accesses/{id}/proxy/", "anonymous-accesses.proxy", anon_proxy}, /* #5 */
    {"GET", "/v1/archive-requests/", "archive-requests.list", archive_requests_list}, /* #6 */
    {"POST", "/v1/archive-requests/", "archive-requests.create", archive_requests_create}, /* #7 */
    {"POST", "/v1/archive-requests/{id}/answer/", "archive-requests.answer", archive_requests_answer}, /* #8 */
    {"GET", "/v1/deletion-requests/", "deletion-requests.list", deletion_requests_list}, /* #18 */
    {"POST", "/v1/deletion-requests/", "deletion-requests.create", deletion_requests_create}, /* #19 */
    {"GET", "/v1/deletion-requests/{id}/", "deletion-requests.read", deletion_requests_read}, /* #20 */
    {"POST", "/v1/deletion-requests/{id}/update-status/", "deletion-requests.update-status", deletion_requests_update_status}, /* #21 */
    {"POST", "/v1/purge-data/", "purge-data", purge_data}, /* #110 */
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc privacy_rpcs[] = {
    {"CheckInNotice", privacy_rpc_check_in_notice},
    {"Purge", privacy_rpc_purge},
    {NULL, NULL},
};
