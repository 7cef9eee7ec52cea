/* handlers_templates.h: organization email templates (#81-#84) and SMS
 * templates (#93-#96): list, create, read, update. Organization admins
 * manage their organization's templates, the platform admin every
 * organization's; anyone else gets 404 for a template and 403 for a list. */
#ifndef MESSAGING_HANDLERS_TEMPLATES_H
#define MESSAGING_HANDLERS_TEMPLATES_H

#include "cm_service.h"

cm_err email_templates_list(struct cm_req *rq, struct cm_resp *out);   /* #81 */
cm_err email_templates_create(struct cm_req *rq, struct cm_resp *out); /* #82 */
cm_err email_templates_read(struct cm_req *rq, struct cm_resp *out);   /* #83 */
cm_err email_templates_update(struct cm_req *rq, struct cm_resp *out); /* #84 */
cm_err sms_templates_list(struct cm_req *rq, struct cm_resp *out);     /* #93 */
cm_err sms_templates_create(struct cm_req *rq, struct cm_resp *out);   /* #94 */
cm_err sms_templates_read(struct cm_req *rq, struct cm_resp *out);     /* #95 */
cm_err sms_templates_update(struct cm_req *rq, struct cm_resp *out);   /* #96 */

#endif
