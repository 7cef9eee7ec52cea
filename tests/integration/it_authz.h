/* it_authz.h: helpers the authz suites share: waiting for authz's
 * in-memory access index after a test wrote its tables straight into
 * Postgres (no request, so no read-your-writes), and authz.rpc.Check. */
#ifndef IT_AUTHZ_H
#define IT_AUTHZ_H

#include <nats/nats.h>

/* Polls authz.index_copies against authz.index_log for at most 10 s;
 * asserts that every authz copy seen within 3 s applied the log to its end. */
void it_authz_index_fresh(void);

/* authz.rpc.Check of one query for user u on nc: the reply's code, and the
 * answer into *allow when the code is 0. */
int it_authz_rpc_check(natsConnection *nc, const char *u, const char *query, int *allow);

#endif
