/* enrollment_schema.h: checks sign-up's enrollment-data against the
 * organization code's enrollment-schema. JSON Schema draft 2020-12, the
 * validation keywords a form needs, over jansson (Debian packages no
 * maintained C JSON Schema validator): type, enum, const, properties,
 * required, additionalProperties, items, minItems, maxItems, minLength,
 * maxLength (in code points), pattern (POSIX extended regex, an
 * approximation of ECMA-262), minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, multipleOf, allOf, anyOf, oneOf, not, and true/false
 * schemas. Annotations ($schema, $id, title, description, format,
 * default, examples) and unknown keywords are ignored, as the draft says;
 * $ref, $defs, patternProperties, dependentSchemas, if/then/else,
 * uniqueItems and unevaluated* are not supported (ignored). Pure: no I/O,
 * unit-tested in tests/unit/test_onboarding_enrollment_schema.c. */
#ifndef ONBOARDING_ENROLLMENT_SCHEMA_H
#define ONBOARDING_ENROLLMENT_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#define SCHEMA_MAX_DEPTH 32 /* nesting of schemas followed */

/* 1 when data is valid against schema; 0 otherwise, with the JSON pointer
 * (inside data) of the first failure into where (wcap bytes) and what
 * failed into why (ycap bytes). */
int enrollment_schema_valid(const json_t *schema, const json_t *data, char *where, size_t wcap,
                            char *why, size_t ycap);

#endif
