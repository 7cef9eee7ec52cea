/* clinical_patients.h: the clinical API's patient operations (seed 001):
 * POST patients (create or update by pid + primary_ou), PUT patients/{pid}
 * (update an existing one), POST patients/{pid}/subscribe.
 *
 * Callers: API clients, in their own organization only (a primary_ou other
 * than the client's organization is "not authorized"). Every PHI field is
 * sealed at rest (phi_crypt.h); the stored record is shown back, as
 * "patient", only to a caller holding role "view-phi". */
#ifndef MESSAGING_CLINICAL_PATIENTS_H
#define MESSAGING_CLINICAL_PATIENTS_H

#include "cm_service.h"

cm_err patients_upsert(struct cm_req *rq, struct cm_resp *out);
cm_err patients_update(struct cm_req *rq, struct cm_resp *out);
cm_err patients_subscribe(struct cm_req *rq, struct cm_resp *out);

#endif
