/* clinical_page.h: POST page (seed 001): relays a pager message. A user's
 * pager number makes one urgent thread "Page" from the API client to that
 * user ({"status":"ok","message_id","thread_id"}); a service's pager makes
 * one such thread per member of the service
 * ({"status":"ok","messages":[{message_id, thread_id}, ...]}). API clients
 * only, within their organization. */
#ifndef MESSAGING_CLINICAL_PAGE_H
#define MESSAGING_CLINICAL_PAGE_H

#include "cm_service.h"

cm_err page_relay(struct cm_req *rq, struct cm_resp *out);

#endif
