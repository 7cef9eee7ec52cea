/* handlers_auth_input.c: pure readers of the user-activities filters
 * (handlers_auth.h). */
#include <stdio.h>
#include <string.h>

#include "handlers.h"

static const struct {
    const char *name;
    unsigned bit;
} event_types[] = {
    {"login", AUTH_EVT_LOGIN},
    {"refr", AUTH_EVT_REFR},
    {"sreg", AUTH_EVT_SREG},
    {"imps", AUTH_EVT_IMPS}, /* an impersonation started (impersonation.h) */
    {"impe", AUTH_EVT_IMPE}, /* and ended */
};

cm_err auth_event_types_parse(const char *s, unsigned *mask)
{
    const char *p = s;

    for (;;) {
        size_t len = strcspn(p, ",");
        size_t i;
        for (i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
            if (strlen(event_types[i].name) == len && !strncmp(p, event_types[i].name, len))
                break;
        if (i == sizeof event_types / sizeof event_types[0])
            return CM_EINVAL;
        *mask |= event_types[i].bit;
        if (!p[len])
            return CM_OK;
        p += len + 1;
    }
}

void auth_event_types_literal(unsigned mask, char *buf, size_t cap)
{
    size_t used = 0;

    buf[0] = '\0';
    if (!mask)
        return;
    for (size_t i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
        if (mask & event_types[i].bit)
            used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? "," : "{",
                                     event_types[i].name);
    snprintf(buf + used, cap - used, "}");
}
