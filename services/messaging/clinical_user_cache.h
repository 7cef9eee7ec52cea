/* clinical_user_cache.h: a short-lived memory of which account a clinical
 * `user_id` (a username or an account id) names in an organization, so that
 * user/counters, read over and over by clients, does not ask identity
 * (ClinicalGetAccounts) each time. Positive answers only, kept CLINICAL_USER_CACHE_MS;
 * a rename or removal is therefore seen within that time. Thread-safe (one
 * mutex); fixed size, a newer entry replaces an older one in its slot. */
#ifndef MESSAGING_CLINICAL_USER_CACHE_H
#define MESSAGING_CLINICAL_USER_CACHE_H

#include "clinical_directory.h"

#define CLINICAL_USER_CACHE_MS 2000

struct clinical_user_cache;

/* A new, empty cache (caller frees with clinical_user_cache_free). */
struct clinical_user_cache *clinical_user_cache_new(void);
void clinical_user_cache_free(struct clinical_user_cache *c);

/* Looks up uid in organization org_id: 1 and the account id and the
 * organization's name copied into id (CLINICAL_ID_MAX bytes) and ou
 * (CLINICAL_NAME_MAX bytes) when a fresh entry exists, else 0. */
int clinical_user_cache_get(struct clinical_user_cache *c, const char *org_id, const char *uid,
                            char *id, char *ou);

/* Remembers that uid names account id of organization org_id named ou. */
void clinical_user_cache_put(struct clinical_user_cache *c, const char *org_id, const char *uid,
                             const char *id, const char *ou);

#endif
