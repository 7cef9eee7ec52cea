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
};

cm_err auth_cmp_parse(const char *s, char op[3], char *when)
{
    size_t n = s[0] == '<' || s[0] == '>' ? (s[1] == '=' ? 2 : 1) : 0;
    char buf[48], dir;

    if (n == 0 || strlen(s) > 40)
        return CM_EINVAL;
    /* users_cmp_time_parse reads "<" or ">" and the instant after it */
    snprintf(buf, sizeof buf, "%c%s", s[0], s + n);
    if (users_cmp_time_parse(buf, &dir, when) != CM_OK)
        return CM_EINVAL;
    memcpy(op, s, n);
    op[n] = '\0';
    return CM_OK;
}

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
