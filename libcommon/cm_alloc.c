/* cm_alloc.c: allocation wrappers that abort on out-of-memory. */
#include "cm_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"out of memory allocating %zu bytes\"}\n", n);
    abort();
}

void *cm_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *cm_xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        oom(count * n);
    return p;
}

void *cm_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *cm_xstrdup(const char *s)
{
    return s ? cm_xstrndup(s, strlen(s)) : NULL;
}

char *cm_xstrndup(const char *s, size_t n)
{
    char *d = cm_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
