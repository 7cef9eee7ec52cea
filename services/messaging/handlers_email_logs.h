/* handlers_email_logs.h: email-logs (#22): every send, failure, refusal
 * and bounce messaging recorded, newest last. The platform admin sees all
 * of them; an organization admin those of its organization (messages sent
 * for it); anyone else gets 403. */
#ifndef MESSAGING_HANDLERS_EMAIL_LOGS_H
#define MESSAGING_HANDLERS_EMAIL_LOGS_H

#include "cm_service.h"

cm_err email_logs_list(struct cm_req *rq, struct cm_resp *out); /* #22 */

#endif
