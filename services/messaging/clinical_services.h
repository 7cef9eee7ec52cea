/* clinical_services.h: the clinical messaging API's institution services
 * (GET and PUT /api/2018-04-01/admin/services/{ou}) and service pagers
 * (GET and POST /api/2019-03-01/pager/service), clinical_services.c. */
#ifndef MESSAGING_CLINICAL_SERVICES_H
#define MESSAGING_CLINICAL_SERVICES_H

#include "clinical_ou.h"
#include "cm_service.h"

cm_err clinical_services_read(struct cm_req *rq, struct cm_resp *out);
cm_err clinical_services_update(struct cm_req *rq, struct cm_resp *out);
cm_err clinical_pagers_list(struct cm_req *rq, struct cm_resp *out);
cm_err clinical_pagers_update(struct cm_req *rq, struct cm_resp *out);

/* The OU named name (NULL or "": the caller's own) for caller, into ou:
 * 403 "not authorized" (recorded in rq) when the caller does not reach it
 * (or, with manage, does not administer it), 404 "OU [name] not found"
 * when it reaches the name but no such OU exists. */
cm_err clinical_target_ou(struct cm_req *rq, const struct clinical_caller *caller,
                          const char *name, int manage, struct clinical_ou *ou);

#endif
