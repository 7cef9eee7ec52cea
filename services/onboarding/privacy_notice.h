/* privacy_notice.h: the "review your privacy settings" notice a
 * participant's check-in (POST /v1/user-checkins/) carries, asked of
 * privacy (privacy.rpc.CheckInNotice). The check-in handler calls it and,
 * when it returns an object, adds it to its answer (e.g. as
 * meta.privacy-notice). Fails soft: a check-in never fails because privacy
 * is slow or down. */
#ifndef ONBOARDING_PRIVACY_NOTICE_H
#define ONBOARDING_PRIVACY_NOTICE_H

#include <jansson.h>

#include "cm_service.h"

/* The notice for user_id, as a new JSON object (caller json_decref):
 *   {"code": "review-privacy-settings", "detail": <text>,
 *    "requested-privacy-level": [...], "privacy-level": [...]}
 * NULL when none is due, and also when privacy does not answer within
 * RPC_TIMEOUT_MS or answers an error (logged, without personal data). */
json_t *privacy_notice_for(struct cm_worker *w, const char *user_id);

#endif
