/* input.h: readers of request members that libcommon's cm_json_* do not
 * cover (free-form objects, enums, arrays of strings, formats checked by
 * validate.h). Like cm_json_*, on bad input they record the detail and the
 * JSON pointer (prefix/name) in rq and return CM_EINVAL; absent and null
 * members are "not given". */
#ifndef ONBOARDING_INPUT_H
#define ONBOARDING_INPUT_H

#include <jansson.h>
#include <stddef.h>

#include "cm_service.h"

#define INPUT_MAX_OBJECT_BYTES 16384 /* serialised size of a free-form object */

/* A JSON object member, serialised compactly into *out (caller frees), or
 * NULL when not given. Objects over INPUT_MAX_OBJECT_BYTES are refused. */
cm_err input_object_text(struct cm_req *rq, const json_t *obj, const char *prefix,
                         const char *name, char **out);

/* A string member of 1..maxchars characters that check accepts (check may
 * be NULL); what must gives the detail ("an RFC 3339 date-time"). *out
 * borrows from obj, NULL when not given. */
cm_err input_checked_str(struct cm_req *rq, const json_t *obj, const char *prefix,
                         const char *name, int required, size_t maxchars,
                         int (*check)(const char *), const char *what, const char **out);

/* A string member equal to one of values (NULL-terminated). */
cm_err input_enum(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                  const char *const *values, const char **out);

/* An array of at most max_items strings of 1..maxchars characters, each
 * one of values when values is not NULL; serialised into *out (caller
 * frees), NULL when not given. */
cm_err input_string_array(struct cm_req *rq, const json_t *obj, const char *prefix,
                          const char *name, size_t max_items, size_t maxchars,
                          const char *const *values, char **out);

#endif
