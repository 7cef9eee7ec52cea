/* cm_alloc.h: allocation with the suite's one OOM policy (log, then abort),
 * as Redis's zmalloc. Use these for our own allocations; what libraries
 * return is always checked where it is received. */
#ifndef CM_ALLOC_H
#define CM_ALLOC_H

#include <stddef.h>

void *cm_xmalloc(size_t n);           /* caller frees */
void *cm_xcalloc(size_t count, size_t n); /* caller frees */
void *cm_xrealloc(void *p, size_t n); /* caller frees the result */
char *cm_xstrdup(const char *s);      /* caller frees; NULL → NULL */
char *cm_xstrndup(const char *s, size_t n); /* caller frees; always NUL-terminated */

#endif
