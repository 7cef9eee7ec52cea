/* purge_rpc.c: onboarding.rpc.Purge (purge_rpc.h): the person's sign-up
 * requests (names, email, phone, recipient) and their throttling rows go,
 * their agreements, check-ins, the onboarding requests and registration
 * invitations about them; what they created for others keeps no trace of
 * them. A table that holds a person's
 * data gets one line here. */
#include "cm_purge.h"
#include "purge_rpc.h"

static const char *const purge_statements[] = {
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

cm_err onboarding_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len)
{
    return cm_purge_serve(w, req, purge_statements, NULL, out_payload, out_len);
}
