/* handlers_short_links.h: url-shorteners (#131-#134), managed by
 * organization admins for their organization (the platform admin for any),
 * and the public redirect GET /s/{code} (not in the seed; routed by the
 * edge without credentials): 302 to the target and one more
 * redirect-count, 404 for an unknown or expired code. */
#ifndef MESSAGING_HANDLERS_SHORT_LINKS_H
#define MESSAGING_HANDLERS_SHORT_LINKS_H

#include "cm_service.h"

cm_err short_links_list(struct cm_req *rq, struct cm_resp *out);   /* #131 */
cm_err short_links_create(struct cm_req *rq, struct cm_resp *out); /* #132 */
cm_err short_links_read(struct cm_req *rq, struct cm_resp *out);   /* #133 */
cm_err short_links_update(struct cm_req *rq, struct cm_resp *out); /* #134 */
cm_err short_links_redirect(struct cm_req *rq, struct cm_resp *out);

#endif
