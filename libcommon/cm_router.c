/* cm_router.c: segment-by-segment matching of paths against patterns. */
#include "cm_router.h"

#include <string.h>

/* Matches path against pattern; fills captures into m. Returns 1 on match. */
static int match_path(const char *pattern, const char *path, struct cm_route_match *m)
{
    const char *p = pattern, *s = path;

    m->nparams = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t seglen = strcspn(s, "/");
            if (!close || seglen == 0 || m->nparams == CM_MAX_PARAMS)
                return 0;
            m->names[m->nparams] = p + 1;
            m->name_lens[m->nparams] = (size_t)(close - p - 1);
            m->values[m->nparams] = s;
            m->value_lens[m->nparams] = seglen;
            m->nparams++;
            p = close + 1;
            s += seglen;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    /* Equal, or differing only by one trailing slash. */
    if (*p == '\0' && *s == '\0')
        return 1;
    if (*p == '/' && p[1] == '\0' && *s == '\0')
        return 1;
    return *s == '/' && s[1] == '\0' && *p == '\0' && p > pattern && p[-1] != '/';
}

cm_err cm_router_match(const struct cm_op *ops, const char *method, const char *path,
                       struct cm_route_match *out)
{
    int path_known = 0;
    struct cm_route_match m;

    for (const struct cm_op *op = ops; op->method; op++) {
        if (!match_path(op->pattern, path, &m))
            continue;
        if (strcmp(op->method, method) != 0) {
            path_known = 1;
            continue;
        }
        m.op = op;
        *out = m;
        return CM_OK;
    }
    return path_known ? CM_EMETHOD : CM_ENOTFOUND;
}
