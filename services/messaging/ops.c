/* ops.c: the operations of the API documents owned by messaging, in seed order,
 * with their handlers. A NULL handler is an operation not built yet: the
 * framework answers it with 501 in the surface's style. Names are the
 * metrics route labels. "#N" is the operation number in the catalogue
 * (spec/identity-api.md). */
#include "handlers.h"
#include "handlers_attachments.h"
#include "purge_rpc.h"
#include "handlers_deliver.h"
#include "clinical_groups.h"
#include "clinical_page.h"
#include "clinical_patients.h"
#include "clinical_people.h"
#include "clinical_services.h"
#include "clinical_threads.h"
#include "handlers_users_export.h"
#include "handlers_email_logs.h"
#include "handlers_notes.h"
#include "handlers_short_links.h"
#include "handlers_templates.h"

const struct cm_op messaging_ops[] = {
    /* clinical messaging API (seed 001) */
    {"GET", "/api/2016-11-01/user/counters/{user_id}", "user.counters", user_counters},
    {"GET", "/api/2016-10-01/user/search", "user.search", clinical_users_search},
    {"GET", "/api/2014-08-01/thread/{thread_id}/messages", "thread.messages", thread_messages},
    {"POST", "/api/2014-08-01/page", "page", page_relay},
    {"POST", "/api/2014-08-01/thread/create", "thread.create", thread_create},
    {"GET", "/api/2014-08-01/attachment/{attachment_id}", "attachment.get", attachment_get},
    {"POST", "/api/2014-08-01/attachment", "attachment.save", attachment_save},
    {"GET", "/api/2017-09-01/message/{message_id}/contents", "message.contents", message_contents},
    {"GET", "/api/2014-08-01/message/{message_id}/status", "message.status", message_status},
    {"POST", "/api/2014-08-01/message", "message.post", message_post},
    /* beyond the seed: the content of an attachment (streamed) */
    {"GET", "/api/2014-08-01/attachment/{attachment_id}/content", "attachment.content", attachment_content},
    {"POST", "/api/2015-02-01/admin/users", "admin.users.create", clinical_users_create},
    {"GET", "/api/2015-02-01/admin/users/{uid}", "admin.users.read", clinical_users_read},
    {"PUT", "/api/2015-02-01/admin/users/{uid}", "admin.users.update", clinical_users_update},
    {"GET", "/api/2015-02-01/admin/users", "admin.users.list", admin_users_list},
    {"GET", "/api/2018-04-01/admin/services/{ou}", "admin.services.read", clinical_services_read},
    {"PUT", "/api/2018-04-01/admin/services/{ou}", "admin.services.update", clinical_services_update},
    {"POST", "/api/2014-08-01/patients", "patients.upsert", patients_upsert},
    {"PUT", "/api/2014-08-01/patients/{pid}", "patients.update", patients_update},
    {"POST", "/api/2014-08-01/patients/{pid}/subscribe", "patients.subscribe", patients_subscribe},
    {"GET", "/api/2019-03-01/pager/service", "pager.service.list", clinical_pagers_list},
    {"POST", "/api/2019-03-01/pager/service", "pager.service.update", clinical_pagers_update},
    {"POST", "/api/2019-03-01/recipient_groups", "recipient-groups.create", clinical_groups_create},
    {"GET", "/api/2019-03-01/recipient_groups", "recipient-groups.list", clinical_groups_list},
    {"PUT", "/api/2019-03-01/recipient_groups/{group_id}", "recipient-groups.update", clinical_groups_update},
    {"DELETE", "/api/2019-03-01/recipient_groups/{group_id}", "recipient-groups.delete", clinical_groups_delete},
    {"GET", "/api/2015-02-01/util/test/{id}", "util.test", util_test},
    {"POST", "/api/2015-02-01/util/test/{id}", "util.test", util_test},
    {"PUT", "/api/2015-02-01/util/test/{id}", "util.test", util_test},
    /* identity API document (seed 002), resources owned by messaging */
    {"GET", "/v1/email-logs/", "email-logs", email_logs_list}, /* #22 */
    {"GET", "/v1/feedback-comments/", "feedback-comments.list", feedback_list}, /* #29 */
    {"POST", "/v1/feedback-comments/", "feedback-comments.create", feedback_create}, /* #30 */
    {"GET", "/v1/feedback-comments/{id}/", "feedback-comments.read", feedback_read}, /* #31 */
    {"GET", "/v1/organization-email-templates/", "organization-email-templates.list", email_templates_list}, /* #81 */
    {"POST", "/v1/organization-email-templates/", "organization-email-templates.create", email_templates_create}, /* #82 */
    {"GET", "/v1/organization-email-templates/{id}/", "organization-email-templates.read", email_templates_read}, /* #83 */
    {"PATCH", "/v1/organization-email-templates/{id}/", "organization-email-templates.update", email_templates_update}, /* #84 */
    {"GET", "/v1/organization-general-messages/", "organization-general-messages.list", general_messages_list}, /* #89 */
    {"POST", "/v1/organization-general-messages/", "organization-general-messages.create", general_messages_create}, /* #90 */
    {"GET", "/v1/organization-general-messages/{id}/", "organization-general-messages.read", general_messages_read}, /* #91 */
    {"PATCH", "/v1/organization-general-messages/{id}/", "organization-general-messages.update", general_messages_update}, /* #92 */
    {"GET", "/v1/organization-sms-templates/", "organization-sms-templates.list", sms_templates_list}, /* #93 */
    {"POST", "/v1/organization-sms-templates/", "organization-sms-templates.create", sms_templates_create}, /* #94 */
    {"GET", "/v1/organization-sms-templates/{id}/", "organization-sms-templates.read", sms_templates_read}, /* #95 */
    {"PATCH", "/v1/organization-sms-templates/{id}/", "organization-sms-templates.update", sms_templates_update}, /* #96 */
    {"GET", "/v1/url-shorteners/", "url-shorteners.list", short_links_list}, /* #131 */
    {"POST", "/v1/url-shorteners/", "url-shorteners.create", short_links_create}, /* #132 */
    {"GET", "/v1/url-shorteners/{id}/", "url-shorteners.read", short_links_read}, /* #133 */
    {"PATCH", "/v1/url-shorteners/{id}/", "url-shorteners.update", short_links_update}, /* #134 */
    /* the public redirect of short links (not in the seeds; edge route /s) */
    {"GET", "/s/{code}", "short-link.redirect", short_links_redirect},
    {NULL, NULL, NULL, NULL},
};

const struct cm_rpc messaging_rpcs[] = {
    {"Deliver", rpc_deliver}, /* handlers_deliver.c */
    {"ReportBounce", rpc_report_bounce}, /* handlers_bounces.c */
    {"ClearBounce", rpc_clear_bounce}, /* handlers_bounces.c */
    {"Purge", messaging_rpc_purge}, /* purge_rpc.c: the deletion saga's step */
    {NULL, NULL},
};
