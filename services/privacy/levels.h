/* levels.h: privacy levels ("mhci", "transcript") as a bit mask, read from
 * and written to the JSON lists of the privacy API. Pure, unit-tested. */
#ifndef PRIVACY_LEVELS_H
#define PRIVACY_LEVELS_H

#include <jansson.h>
#include <stddef.h>

#include "cm_err.h"

#define LEVEL_MHCI 1
#define LEVEL_TRANSCRIPT 2
#define LEVELS_ALL 3

/* Reads body (len bytes, whatever its Content-Type: the seed's own fetch
 * call sends text/plain) as {"<member>": [levels...]} with no other
 * member. Duplicates are allowed; [] clears. On CM_OK the mask to *out;
 * on CM_EINVAL a client-facing message to err (cap bytes). */
cm_err levels_read_body(const char *body, size_t len, const char *member, int *out, char *err,
                        size_t cap);

/* The mask as a new JSON array of level names, in a fixed order. */
json_t *levels_json(int mask);

#endif
