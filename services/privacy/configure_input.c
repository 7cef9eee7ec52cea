/* configure_input.c: path parameters of the privacy API (configure_input.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configure_input.h"

/* True when value stands for a parameter the client did not give. */
static int missing(const char *value)
{
    size_t i = 0;
    if (!value)
        return 1;
    while (value[i] == ' ' || value[i] == '\t')
        i++;
    return value[i] == '\0' || !strcmp(value, "undefined") || !strcmp(value, "null");
}

cm_err configure_group_number(const char *value, long long *out, char *err, size_t cap)
{
    size_t n;
    if (missing(value)) {
        snprintf(err, cap, "You are missing the path parameter groupID");
        return CM_EINVAL;
    }
    n = strlen(value);
    if (n > 18 || strspn(value, "0123456789") != n || strtoll(value, NULL, 10) <= 0) {
        snprintf(err, cap, "groupID must be a number");
        return CM_EINVAL;
    }
    *out = strtoll(value, NULL, 10);
    return CM_OK;
}

cm_err configure_external_id(const char *value, char *err, size_t cap)
{
    if (missing(value)) {
        snprintf(err, cap, "You are missing the path parameter externalID");
        return CM_EINVAL;
    }
    if (strlen(value) > EXTERNAL_ID_MAX) {
        snprintf(err, cap, "externalID must be at most %d characters", EXTERNAL_ID_MAX);
        return CM_EINVAL;
    }
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            snprintf(err, cap, "externalID must not contain control characters");
            return CM_EINVAL;
        }
    return CM_OK;
}
