/* handlers_notes.h: organization general messages (#89-#92) and feedback
 * comments (#29-#31).
 *
 * General messages: the people of an organization (its members acting in
 * it) read them; its admins (and the platform admin) create and change
 * them. Feedback comments: anyone authenticated writes one; its author, the
 * admins of the author's organization and the platform admin read it. */
#ifndef MESSAGING_HANDLERS_NOTES_H
#define MESSAGING_HANDLERS_NOTES_H

#include "cm_service.h"

cm_err general_messages_list(struct cm_req *rq, struct cm_resp *out);   /* #89 */
cm_err general_messages_create(struct cm_req *rq, struct cm_resp *out); /* #90 */
cm_err general_messages_read(struct cm_req *rq, struct cm_resp *out);   /* #91 */
cm_err general_messages_update(struct cm_req *rq, struct cm_resp *out); /* #92 */
cm_err feedback_list(struct cm_req *rq, struct cm_resp *out);           /* #29 */
cm_err feedback_create(struct cm_req *rq, struct cm_resp *out);         /* #30 */
cm_err feedback_read(struct cm_req *rq, struct cm_resp *out);           /* #31 */

#endif
