/* store_patients.h: the clinical API's patients and their subscriptions
 * (002_clinical_threads.sql). The only place with their SQL. A patient is
 * keyed by (organization, pid); everything else is one sealed box
 * (phi_crypt.h) that this file never opens. Every write commits with its
 * event evt.messaging.patient.{created,updated,subscribed} (no PHI in it). */
#ifndef MESSAGING_STORE_PATIENTS_H
#define MESSAGING_STORE_PATIENTS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

/* Writes the sealed record of (org, pid). With must_exist (PUT) only an
 * existing patient is changed (CM_ENOTFOUND otherwise); without, it is
 * created or replaced. *out_created says which (may be NULL). */
cm_err store_patient_put(PGconn *pg, const char *org, const char *pid, const char *key_id,
                         const uint8_t *box, size_t len, int must_exist, int *out_created);

/* Creates or replaces subscription sid of patient (org, pid); tags and
 * consents are JSON array texts. CM_ENOTFOUND when there is no such
 * patient. */
cm_err store_subscription_put(PGconn *pg, const char *org, const char *pid, const char *sid,
                              const char *tags_json, const char *consents_json, int enabled);

#endif
