/* client_addr.h: the address a request came from, for the login throttle.
 * It is HttpRequest.remote_addr (the TCP peer the edge saw), unless that
 * peer is one of TRUSTED_PROXIES (comma-separated; default none): then the
 * X-Forwarded-For entries are read from the right, skipping trusted
 * proxies, and the first other valid address is the client. A client can
 * therefore never choose its own address by sending X-Forwarded-For. */
#ifndef IDENTITY_CLIENT_ADDR_H
#define IDENTITY_CLIENT_ADDR_H

#include "cm_service.h"

#define CLIENT_ADDR_MAX 64 /* INET6_ADDRSTRLEN and more */

/* The client's address into out from remote (may be NULL or ""), the
 * X-Forwarded-For header (NULL when absent) and the trusted list (NULL or
 * ""). "unknown" when remote is empty. Pure. */
void client_addr_pick(const char *remote, const char *xff, const char *trusted,
                      char out[CLIENT_ADDR_MAX]);

/* client_addr_pick for rq with the daemon's TRUSTED_PROXIES. */
void client_addr_of(const struct cm_req *rq, char out[CLIENT_ADDR_MAX]);

#endif
