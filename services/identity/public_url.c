/* public_url.c: the suite's own URLs as the browser reached it (public_url.h). */
#include "public_url.h"

#include <stdio.h>
#include <string.h>

cm_err public_url(struct cm_req *rq, const char *path, char *buf, size_t cap)
{
    const char *host = cm_req_header(rq, "host"), *proto = cm_req_header(rq, "x-forwarded-proto");

    if (!host || !*host || strlen(host) > 255 || strpbrk(host, "/?#@ \t\\\"'<>"))
        return cm_fail(rq, CM_EINVAL, "the request has no usable Host header");
    snprintf(buf, cap, "%s://%s%s", proto && !strcmp(proto, "https") ? "https" : "http", host,
             path);
    return CM_OK;
}
