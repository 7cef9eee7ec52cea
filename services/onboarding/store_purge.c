/* store_purge.c: SQL of onboarding's step of privacy's deletion saga
 * (store_purge.h; run by purge_rpc.c through libcommon/cm_purge). */
#include "store_purge.h"

#include <stddef.h>

const char *const store_purge_statements[] = {
    "DELETE FROM sign_up_requests WHERE user_id = $1::uuid OR username = ANY($2::text[]) "
    "OR lower(email) = ANY($2::text[])",
    "DELETE FROM sign_up_limits WHERE key = ANY($2::text[])",
    "UPDATE organization_codes SET created_by = '' WHERE created_by = $1::text",
    "DELETE FROM service_document_agreements WHERE user_id = $1::uuid",
    "DELETE FROM user_checkins WHERE user_id = $1::uuid",
    "DELETE FROM onboarding_requests WHERE patient = $1::uuid OR claimed_by = $1::uuid "
    "OR lower(patient_email) = ANY($2::text[]) OR lower(username) = ANY($2::text[])",
    "UPDATE onboarding_requests SET created_by = '' WHERE created_by = $1::text",
    "DELETE FROM registration_invitations WHERE claimed_by = $1::uuid "
    "OR lower(invited_email) = ANY($2::text[])",
    "UPDATE registration_invitations SET created_by = '' WHERE created_by = $1::text",
    NULL,
};
