/* cm_nats_ldm.h: internal to cm_nats.c. Requests made through a nats.c
 * connection leave a server in lame-duck mode without losing a reply.
 *
 * nats.c 3.4 cannot move a connection on demand: it stays on a leaving
 * server until that server closes it, and a request whose reply was still on
 * its way then times out. So the connection a caller holds (the "primary":
 * svc.nc, the edge's bg_nc) keeps its subscriptions and JetStream contexts
 * (they reconnect elsewhere when the server closes it, and lose nothing:
 * acks, redelivery, Nats-Msg-Id), while its requests (cm_nats_request,
 * cm_nats_rpc) go through a "family" record: on the lame-duck notice of the
 * connection requests use, a mover thread opens a new connection (the
 * leaving server accepts none, so it lands on another; the servers are the
 * configured list plus those the connection being left knows), points new requests at it, and
 * closes the old one (unless it is the primary) once no request waits on it.
 * A connection is never closed while a request uses it (a count per
 * connection, under one process-wide mutex). */
#ifndef CM_NATS_LDM_H
#define CM_NATS_LDM_H

#include <nats/nats.h>

#include "cm_err.h"

struct cm_nats_family;
struct cm_nats_link;

/* A family for a connection about to be made to urls as name (copied). Its
 * address is the closure of cm_nats_ldm_on_lame_duck. Caller passes it to
 * cm_nats_family_start once connected, or cm_nats_family_discard. */
struct cm_nats_family *cm_nats_family_new(const char *urls, const char *name, int send_asap);

/* Registers f with its connected primary: requests through primary now
 * resolve through f. */
void cm_nats_family_start(struct cm_nats_family *f, natsConnection *primary);

/* Frees a family never started. NULL is a no-op. */
void cm_nats_family_discard(struct cm_nats_family *f);

/* Before primary closes: stops the mover, waits (at most timeout_ms) until
 * no request uses a successor, closes and destroys the successors and frees
 * the family. A connection without a family: no-op. */
void cm_nats_family_end(natsConnection *primary, int timeout_ms);

/* nats.c's lame-duck callback (natsOptions_SetLameDuckModeCB); closure is
 * the family. Runs on nats.c's thread: only flags the mover. */
void cm_nats_ldm_on_lame_duck(natsConnection *nc, void *closure);

/* The connection a request made through nc should use now (nc itself when
 * it has no family), held until cm_nats_release(*out_link) (out_link NULL
 * when nothing is held). */
natsConnection *cm_nats_acquire(natsConnection *nc, struct cm_nats_link **out_link);

/* Ends what cm_nats_acquire held. NULL is a no-op. */
void cm_nats_release(struct cm_nats_link *l);

/* Defined in cm_nats.c: one attempt to connect a successor of family f to
 * urls plus extra[0..nextra) (the servers the connection being left knows),
 * with the same options as the primary. On CM_OK *out_nc is connected. */
cm_err cm_nats_dial(const char *urls, const char *name, int send_asap, char **extra, int nextra,
                    struct cm_nats_family *f, natsConnection **out_nc);

#endif
