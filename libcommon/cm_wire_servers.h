/* cm_wire_servers.h: which NATS servers to try, shared by both cm_wire
 * clients (the workers' blocking one and the edge's link): the servers of
 * NATS_URL plus those the cluster announced in INFO's connect_urls
 * (learnt process-wide, by every connection), in a random order for each
 * round so that clients spread over the cluster; and INFO's lame-duck flag
 * (ldm), on which a client moves to another server. */
#ifndef CM_WIRE_SERVERS_H
#define CM_WIRE_SERVERS_H

#include <stddef.h>
#include <stdint.h>

#include "cm_wire.h"

/* Adds the servers of an INFO's connect_urls (json[0..len)) to the
 * process's discovered list (at most CM_WIRE_MAX_URLS in all). Thread-safe. */
void cm_wire_servers_learn(const char *json, size_t len);

/* Forgets what was learnt (tests). */
void cm_wire_servers_forget(void);

/* The servers to try in this round: configured's (NATS_URL) and the
 * discovered ones not among them (with the first configured server's
 * credentials and scheme), shuffled with *rng. Their count, or -1 with
 * why[] when configured is malformed. */
int cm_wire_servers_round(const char *configured, struct cm_wire_url *out, int max, uint64_t *rng,
                          char *why, size_t whylen);

/* Does an INFO json[0..len) announce lame-duck mode ("ldm": true)? */
int cm_wire_info_ldm(const char *json, size_t len);

#endif
