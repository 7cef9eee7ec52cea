/* cm_router.h: matching an HTTP method and path against a service's table of
 * operations. Pure: no I/O, no allocation. */
#ifndef CM_ROUTER_H
#define CM_ROUTER_H

#include <stddef.h>

#include "cm_err.h"

#define CM_MAX_PARAMS 4

struct cm_req;
struct cm_resp;

/* Handles one request; on CM_OK it has filled the response, otherwise the
 * framework answers with the error in the request's surface style (see
 * cm_fail in cm_service.h). */
typedef cm_err (*cm_http_handler)(struct cm_req *rq, struct cm_resp *out);

/* One operation of an API document. A pattern segment "{name}" matches one
 * non-empty path segment and captures it; a trailing '/' is optional in the
 * request. handler NULL means "in the document, not built yet": the
 * framework answers 501 in the surface's style. Tables end with {NULL}. */
struct cm_op {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern; /* "/api/2015-02-01/util/test/{id}" */
    const char *name;    /* stable operation name, the metrics route label */
    cm_http_handler handler;
};

struct cm_route_match {
    const struct cm_op *op;
    int nparams;
    const char *names[CM_MAX_PARAMS];   /* borrowed from the pattern, not NUL-terminated */
    size_t name_lens[CM_MAX_PARAMS];
    const char *values[CM_MAX_PARAMS];  /* borrowed from the path, not NUL-terminated */
    size_t value_lens[CM_MAX_PARAMS];
};

/* Finds the operation of ops for method and path (no query string). Returns
 * CM_OK with *out filled, CM_EMETHOD when the path matches only under other
 * methods, CM_ENOTFOUND when nothing matches. */
cm_err cm_router_match(const struct cm_op *ops, const char *method, const char *path,
                       struct cm_route_match *out);

#endif
