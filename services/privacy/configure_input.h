/* configure_input.h: the path parameters of the privacy API (groupID,
 * externalID), read as the seed answers them. Pure, unit-tested. */
#ifndef PRIVACY_CONFIGURE_INPUT_H
#define PRIVACY_CONFIGURE_INPUT_H

#include <stddef.h>

#include "cm_err.h"

#define EXTERNAL_ID_MAX 255

/* groupID: a positive decimal number (at most 18 digits). A value that is
 * absent, blank, "undefined" or "null" (what a client's template string
 * makes of a missing variable) is missing. On CM_OK the number to *out; on
 * CM_EINVAL the seed's message to err (cap bytes). */
cm_err configure_group_number(const char *value, long long *out, char *err, size_t cap);

/* externalID: 1..EXTERNAL_ID_MAX bytes without control characters; missing
 * as for groupID. */
cm_err configure_external_id(const char *value, char *err, size_t cap);

#endif
