/* clinical_groups.h: recipient groups of the clinical messaging API
 * (/api/2019-03-01/recipient_groups): create (root IID only), list, update
 * and delete, clinical_groups.c. */
#ifndef MESSAGING_CLINICAL_GROUPS_H
#define MESSAGING_CLINICAL_GROUPS_H

#include "cm_service.h"

cm_err clinical_groups_create(struct cm_req *rq, struct cm_resp *out);
cm_err clinical_groups_list(struct cm_req *rq, struct cm_resp *out);
cm_err clinical_groups_update(struct cm_req *rq, struct cm_resp *out);
cm_err clinical_groups_delete(struct cm_req *rq, struct cm_resp *out);

#endif
