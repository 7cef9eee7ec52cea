/* authz_index_wait.h: for tests that write authz's tables straight into
 * Postgres (no request, so no read-your-writes): waits until every live
 * authz copy's access index has applied the change log up to its last row. */
#ifndef IT_AUTHZ_INDEX_WAIT_H
#define IT_AUTHZ_INDEX_WAIT_H

/* Polls authz.index_copies against authz.index_log for at most 10 s;
 * asserts that every copy seen within 3 s caught up. */
void it_authz_index_fresh(void);

#endif
