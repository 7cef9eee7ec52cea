/* clinical_patients_input.h: the patient record and subscription of the
 * clinical API (seed 001, "Patient Management APIs"), checked and
 * normalised. Pure; unit-tested.
 *
 * Rules: pid 1..255 characters; name {prefix, given, middle, family,
 * suffix} with given and family required; dob an ISO 8601 calendar date
 * (YYYY-MM-DD) not in the future; sex one of HL7 administrative sex A, F,
 * M, N, O, U; ssn NNN-NN-NNNN or 9 digits; address {street_address,
 * street_other, city, state, zip, country} with a zip, and city and state
 * whenever street_address is given; preferred_language an ISO-639-1 code,
 * optionally "-" and an ISO-3166-1 alpha-2 region ("en", "en-us");
 * consents "add|remove:<authority>:<date>" (date MM-DD-YYYY, as the seed's
 * example, or YYYY-MM-DD); pcm_enabled a boolean (default true);
 * associated_ou OU names within the primary OU ("<primary>" or
 * "<primary>:..."); pids [{authority, identifier}]; patient_attributes the
 * seed's PatientAttributes fields. Errors are the seed's `reason` object. */
#ifndef MESSAGING_CLINICAL_PATIENTS_INPUT_H
#define MESSAGING_CLINICAL_PATIENTS_INPUT_H

#include <jansson.h>

#include "cm_err.h"

/* Checks params (the request body) as a whole patient record of primary OU
 * ou_name. path_pid is the {pid} of PUT (NULL for POST, where "pid" is
 * required). today is "YYYY-MM-DD". On CM_OK *out_record is a new object
 * holding the normalised record (pid included, primary_ou excluded);
 * otherwise *out_reason names the faults. Both caller json_decref. */
cm_err patient_input_read(const json_t *params, const char *path_pid, const char *ou_name,
                          const char *today, json_t **out_record, json_t **out_reason);

/* A subscription: sid (required), tags (array of strings; [] disables),
 * consents. On CM_OK *out_sub is {sid, tags, consents, enabled}. */
cm_err subscription_input_read(const json_t *params, json_t **out_sub, json_t **out_reason);

/* The "primary_ou" member of params ("" when absent; NULL when not a
 * string). Borrowed. */
const char *patient_primary_ou(const json_t *params);

#endif
