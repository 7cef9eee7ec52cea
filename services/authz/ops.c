/* ops.c: the operations of the API documents owned by authz, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). */
#include "handlers.h"

const struct cm_op authz_ops[] = {
    {"POST", "/v1/authz-get-accessible-resources/", "authz-get-accessible-resources", NULL}, /* #10 */
    {"GET", "/v1/authz-individuals/", "authz-individuals", NULL}, /* #11 */
    {"POST", "/v1/authz-resource-access/", "authz-resource-access", NULL}, /* #12 */
    {"GET", "/v1/authz-resource-accessors/", "authz-resource-accessors", NULL}, /* #13 */
    {"GET", "/v1/authz-user-status/{id}/", "authz-user-status.read", NULL}, /* #14 */
    {"POST", "/v1/bulk-authz-resource-access/", "bulk-authz-resource-access", NULL}, /* #15 */
    {"GET", "/v1/individual-group-individuals/", "individual-group-individuals", NULL}, /* #36 */
    {"GET", "/v1/individual-group-leaders/", "individual-group-leaders", NULL}, /* #37 */
    {"GET", "/v1/individual-group-logs/", "individual-group-logs", NULL}, /* #38 */
    {"GET", "/v1/individual-groups/", "individual-groups.list", NULL}, /* #39 */
    {"POST", "/v1/individual-groups/", "individual-groups.create", NULL}, /* #40 */
    {"GET", "/v1/individual-groups/{id}/", "individual-groups.read", NULL}, /* #41 */
    {"PATCH", "/v1/individual-groups/{id}/", "individual-groups.update", NULL}, /* #42 */
    {"POST", "/v1/individual-groups/{id}/add-individuals/", "individual-groups.add-individuals", NULL}, /* #43 */
    {"POST", "/v1/individual-groups/{id}/add-leaders/", "individual-groups.add-leaders", NULL}, /* #44 */
    {"POST", "/v1/individual-groups/{id}/add-members/", "individual-groups.add-members", NULL}, /* #45 */
    {"GET", "/v1/individual-groups/{id}/eligible-members/", "individual-groups.eligible-members", NULL}, /* #46 */
    {"POST", "/v1/individual-groups/{id}/move-group/", "individual-groups.move-group", NULL}, /* #47 */
    {"POST", "/v1/individual-groups/{id}/remove-individuals/", "individual-groups.remove-individuals", NULL}, /* #48 */
    {"POST", "/v1/individual-groups/{id}/remove-leaders/", "individual-groups.remove-leaders", NULL}, /* #49 */
    {"POST", "/v1/individual-groups/{id}/remove-members/", "individual-groups.remove-members", NULL}, /* #50 */
    {"POST", "/v1/individuals/", "individuals.create", NULL}, /* #51 */
    {"GET", "/v1/individuals/{id}/", "individuals.read", NULL}, /* #52 */
    {"GET", "/v2/individual-groups/", "individual-groups.list.v2", NULL}, /* #156 */
    {"GET", "/v2/individual-groups/{id}/", "individual-groups.read.v2", NULL}, /* #157 */
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc authz_rpcs[] = {
    {NULL, NULL},
};
