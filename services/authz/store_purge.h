/* store_purge.h: SQL of authz's deletion-saga step (purge_rpc.c). */
#ifndef AUTHZ_STORE_PURGE_H
#define AUTHZ_STORE_PURGE_H

#include <libpq-fe.h>

#include "cm_err.h"

/* The statements of authz's step of privacy's deletion saga, in order, for
 * cm_purge_serve ($1 the person's id, $2 their names: libcommon/cm_purge.h);
 * a table that holds a person's data gets one line here. */
extern const char *const store_purge_statements[];

/* The access index's change log rows naming user_id that every live copy
 * has applied go (index_pruned raised, as the index's prune does);
 * *out_remains is 1 while the person is still projected or a row naming them
 * remains (the step is then not done yet). */
cm_err store_purge_index_log(PGconn *pg, const char *user_id, int *out_remains);

#endif
