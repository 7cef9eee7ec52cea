/* replication_json.h: the `user-replications` and `replicators` resources
 * from records (store_replication.h). Pure: no I/O. */
#ifndef IDENTITY_REPLICATION_JSON_H
#define IDENTITY_REPLICATION_JSON_H

#include <jansson.h>

#include "store_replication.h"

json_t *replication_json_resource(const struct replication_rec *r);
json_t *replication_json_list(const struct replication_list *l);

/* A replicator: name (not in the seed), classpath, created-time,
 * last-poll-time (null until it reports). */
json_t *replicator_json_resource(const struct replicator_rec *r);
json_t *replicator_json_list(const struct replicator_list *l);

#endif
