/* ops.c: the operations of the API documents owned by privacy, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). */
#include "handlers.h"

const struct cm_op privacy_ops[] = {
    /* privacy API (seed 000) */
    {"POST", "/configure/groups/{groupID}/privacy", "groups.privacy", NULL},
    {"POST", "/configure/participants/{externalID}/privacy", "participants.privacy", NULL},
    /* identity API document (seed 002), resources owned by privacy */
    {"POST", "/v1/aggregation-requests/", "aggregation-requests", NULL}, /* #1 */
    {"POST", "/v1/anonymous-accesses/", "anonymous-accesses.create", NULL}, /* #2 */
    {"GET", "/v1/anonymous-accesses/{id}/", "anonymous-accesses.read", NULL}, /* #3 */
    {"PATCH", "/v1/anonymous-accesses/{id}/", "anonymous-accesses.update", NULL}, /* #4 */
    {"POST", "/v1/anonymous-accesses/{id}/proxy/", "anonymous-accesses.proxy", NULL}, /* #5 */
    {"GET", "/v1/archive-requests/", "archive-requests.list", NULL}, /* #6 */
    {"POST", "/v1/archive-requests/", "archive-requests.create", NULL}, /* #7 */
    {"POST", "/v1/archive-requests/{id}/answer/", "archive-requests.answer", NULL}, /* #8 */
    {"GET", "/v1/deletion-requests/", "deletion-requests.list", NULL}, /* #18 */
    {"POST", "/v1/deletion-requests/", "deletion-requests.create", NULL}, /* #19 */
    {"GET", "/v1/deletion-requests/{id}/", "deletion-requests.read", NULL}, /* #20 */
    {"POST", "/v1/deletion-requests/{id}/update-status/", "deletion-requests.update-status", NULL}, /* #21 */
    {"POST", "/v1/purge-data/", "purge-data", NULL}, /* #110 */
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc privacy_rpcs[] = {
    {NULL, NULL},
};
