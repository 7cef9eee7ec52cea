/* ops.c: the operations of the API documents owned by messaging, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). */
#include "handlers.h"
#include "purge_rpc.h"
#include "handlers_deliver.h"

const struct cm_op messaging_ops[] = {
    /* clinical messaging API (seed 001) */
    {"GET", "/api/2016-11-01/user/counters/{user_id}", "user.counters", NULL},
    {"GET", "/api/2016-10-01/user/search", "user.search", NULL},
    {"GET", "/api/2014-08-01/thread/{thread_id}/messages", "thread.messages", NULL},
    {"POST", "/api/2014-08-01/page", "page", NULL},
    {"POST", "/api/2014-08-01/thread/create", "thread.create", NULL},
    {"GET", "/api/2014-08-01/attachment/{attachment_id}", "attachment.get", NULL},
    {"POST", "/api/2014-08-01/attachment", "attachment.save", NULL},
    {"GET", "/api/2017-09-01/message/{message_id}/contents", "message.contents", NULL},
    {"GET", "/api/2014-08-01/message/{message_id}/status", "message.status", NULL},
    {"POST", "/api/2014-08-01/message", "message.post", NULL},
    {"POST", "/api/2015-02-01/admin/users", "admin.users.create", NULL},
    {"GET", "/api/2015-02-01/admin/users/{uid}", "admin.users.read", NULL},
    {"PUT", "/api/2015-02-01/admin/users/{uid}", "admin.users.update", NULL},
    {"GET", "/api/2015-02-01/admin/users", "admin.users.list", NULL},
    {"GET", "/api/2018-04-01/admin/services/{ou}", "admin.services.read", NULL},
    {"PUT", "/api/2018-04-01/admin/services/{ou}", "admin.services.update", NULL},
    {"POST", "/api/2014-08-01/patients", "patients.upsert", NULL},
    {"PUT", "/api/2014-08-01/patients/{pid}", "patients.update", NULL},
    {"POST", "/api/2014-08-01/patients/{pid}/subscribe", "patients.subscribe", NULL},
    {"GET", "/api/2019-03-01/pager/service", "pager.service.list", NULL},
    {"POST", "/api/2019-03-01/pager/service", "pager.service.update", NULL},
    {"POST", "/api/2019-03-01/recipient_groups", "recipient-groups.create", NULL},
    {"GET", "/api/2019-03-01/recipient_groups", "recipient-groups.list", NULL},
    {"PUT", "/api/2019-03-01/recipient_groups/{group_id}", "recipient-groups.update", NULL},
    {"DELETE", "/api/2019-03-01/recipient_groups/{group_id}", "recipient-groups.delete", NULL},
    {"GET", "/api/2015-02-01/util/test/{id}", "util.test", util_test},
    {"POST", "/api/2015-02-01/util/test/{id}", "util.test", util_test},
    {"PUT", "/api/2015-02-01/util/test/{id}", "util.test", util_test},
    /* identity API document (seed 002), resources owned by messaging */
    {"GET", "/v1/email-logs/", "email-logs", NULL}, /* #22 */
    {"GET", "/v1/feedback-comments/", "feedback-comments.list", NULL}, /* #29 */
    {"POST", "/v1/feedback-comments/", "feedback-comments.create", NULL}, /* #30 */
    {"GET", "/v1/feedback-comments/{id}/", "feedback-comments.read", NULL}, /* #31 */
    {"GET", "/v1/organization-email-templates/", "organization-email-templates.list", NULL}, /* #81 */
    {"POST", "/v1/organization-email-templates/", "organization-email-templates.create", NULL}, /* #82 */
    {"GET", "/v1/organization-email-templates/{id}/", "organization-email-templates.read", NULL}, /* #83 */
    {"PATCH", "/v1/organization-email-templates/{id}/", "organization-email-templates.update", NULL}, /* #84 */
    {"GET", "/v1/organization-general-messages/", "organization-general-messages.list", NULL}, /* #89 */
    {"POST", "/v1/organization-general-messages/", "organization-general-messages.create", NULL}, /* #90 */
    {"GET", "/v1/organization-general-messages/{id}/", "organization-general-messages.read", NULL}, /* #91 */
    {"PATCH", "/v1/organization-general-messages/{id}/", "organization-general-messages.update", NULL}, /* #92 */
    {"GET", "/v1/organization-sms-templates/", "organization-sms-templates.list", NULL}, /* #93 */
    {"POST", "/v1/organization-sms-templates/", "organization-sms-templates.create", NULL}, /* #94 */
    {"GET", "/v1/organization-sms-templates/{id}/", "organization-sms-templates.read", NULL}, /* #95 */
    {"PATCH", "/v1/organization-sms-templates/{id}/", "organization-sms-templates.update", NULL}, /* #96 */
    {"GET", "/v1/url-shorteners/", "url-shorteners.list", NULL}, /* #131 */
    {"POST", "/v1/url-shorteners/", "url-shorteners.create", NULL}, /* #132 */
    {"GET", "/v1/url-shorteners/{id}/", "url-shorteners.read", NULL}, /* #133 */
    {"PATCH", "/v1/url-shorteners/{id}/", "url-shorteners.update", NULL}, /* #134 */
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc messaging_rpcs[] = {
    {"Deliver", rpc_deliver}, /* handlers_deliver.c */
    {"Purge", messaging_rpc_purge}, /* purge_rpc.c: the deletion saga's step */
    {NULL, NULL},
};
