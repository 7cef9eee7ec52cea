/* api_persons.c: the /api operations open to a person's Bearer token
 * (api_persons.h). */
#include "api_persons.h"

#include <string.h>

static const struct {
    const char *method;
    const char *pattern; /* "*" stands for one non-empty segment */
} person_ops[] = {
    {"GET", "/api/2014-08-01/thread/*/messages"},  {"POST", "/api/2014-08-01/message"},
    {"GET", "/api/2017-09-01/message/*/contents"}, {"GET", "/api/2014-08-01/message/*/status"},
    {"GET", "/api/2016-11-01/user/counters/*"},
    /* attachments of their threads' messages (messaging checks which) */
    {"GET", "/api/2014-08-01/attachment/*"},       {"GET", "/api/2014-08-01/attachment/*/content"},
};

/* True when path matches pattern segment by segment. */
static int matches(const char *pattern, const char *path)
{
    while (*pattern && *path) {
        if (*pattern == '*') {
            const char *end = strchr(path, '/');
            size_t n = end ? (size_t)(end - path) : strlen(path);

            if (n == 0)
                return 0;
            path += n;
            pattern++;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

int edge_api_person_op(const char *method, const char *path)
{
    if (!method || !path)
        return 0;
    for (size_t i = 0; i < sizeof person_ops / sizeof person_ops[0]; i++)
        if (!strcmp(method, person_ops[i].method) && matches(person_ops[i].pattern, path))
            return 1;
    return 0;
}
