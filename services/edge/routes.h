/* routes.h: the edge's route table: which service owns each URL family of
 * the three API documents (DESIGN.md §3), the NATS subject that reaches it,
 * the error style of the surface, whether credentials are mandatory and
 * whether only API clients may call it. */
#ifndef EDGE_ROUTES_H
#define EDGE_ROUTES_H

#include <stddef.h>

#include "envelope.pb-c.h"

struct edge_route {
    const char *family;        /* "/v1/users", "/api", "/configure" */
    const char *service;       /* "identity" */
    const char *subject;       /* "identity.http" */
    Envelope__Surface surface;
    int auth_required;         /* 1: refuse anonymous callers with 401 at the edge */
    int api_clients_only;      /* 1: only API clients (Basic user:key, x-api-key); a
                                * Bearer token, a user's, gets 401 at the edge */
};

/* Route owning path (raw request path, no query), or NULL when no service
 * owns it. The result is static. */
const struct edge_route *edge_route_lookup(const char *path);

/* The i-th route of the table (the /v1 and /v2 families, then /api,
 * /configure and /s), or NULL when i is past the end; for tests that walk the
 * table. The result is static. */
const struct edge_route *edge_route_at(size_t i);

/* 1 when a request of method to path (path[0..len), query excluded) is an
 * upload whose body the edge streams to the service in pieces instead of
 * one message (limit MAX_UPLOAD_BYTES, not MAX_BODY_BYTES): POST
 * /api/<date>/attachment. 0 otherwise. */
int edge_route_streams_body(const char *method, size_t method_len, const char *path, size_t len);

#endif
