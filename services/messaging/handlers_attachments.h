/* handlers_attachments.h: the attachment operations of the clinical
 * messaging API (handlers_attachments.c). */
#ifndef MESSAGING_HANDLERS_ATTACHMENTS_H
#define MESSAGING_HANDLERS_ATTACHMENTS_H

#include "cm_service.h"

/* attachment.save (POST /api/2014-08-01/attachment): an RFC 1867 upload of
 * the form field "attachment", streamed from the edge (cm_stream.h) into
 * Postgres; 200 with the seed's record. */
cm_err attachment_save(struct cm_req *rq, struct cm_resp *out);

/* attachment.get (GET /api/2014-08-01/attachment/{attachment_id}): the
 * seed's record. */
cm_err attachment_get(struct cm_req *rq, struct cm_resp *out);

/* attachment.content (GET /api/2014-08-01/attachment/{attachment_id}/content,
 * beyond the seed): the content, streamed with its mime type. */
cm_err attachment_content(struct cm_req *rq, struct cm_resp *out);

#endif
