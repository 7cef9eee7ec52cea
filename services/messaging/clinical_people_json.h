/* clinical_people_json.h: a clinical user as the seed's user record
 * (admin/users, user/search). Pure; unit-tested. */
#ifndef MESSAGING_CLINICAL_PEOPLE_JSON_H
#define MESSAGING_CLINICAL_PEOPLE_JSON_H

#include <jansson.h>

#include "identity.pb-c.h"
#include "store_clinical_people.h"

/* The record of account a with profile p whose primary OU is named ou.
 * Flags are "Y" or ""; fields the suite does not keep (app_platform,
 * has_pin, ...) are "". New reference. */
json_t *clinical_user_json(const Identity__ClinicalAccount *a, const struct clinical_profile_rec *p,
                           const char *ou);

#endif
