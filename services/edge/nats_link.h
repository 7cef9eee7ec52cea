/* nats_link.h: one edge loop's own NATS connection, driven entirely by that
 * loop's event_base (no other thread, no queue, no wake-up).
 *
 * The link drives the NATS connection state machine of libcommon
 * (cm_wire_session.h, shared with the workers' cm_wire_conn) over a
 * bufferevent: it connects (the servers of NATS_URL and those the cluster
 * announced, in a random order per round), reads INFO, sends CONNECT
 * (headers and no_responders on), "SUB <inbox>.> 1" and PING, and is up
 * once the server's PONG confirms them (an -ERR before it: the next
 * server). Requests are published with "<inbox>.<slot>.<gen>" as their
 * reply subject, packed in place into the output buffer; everything published during one loop iteration leaves
 * in one write at its end. Replies are parsed in place from the input buffer
 * and handed to the loop's on_reply with the slot and generation their
 * subject names. When the connection is lost the loop hears it once
 * (on_lost: no reply will come for anything published before) and the link
 * tries each server of a round in turn, then waits ~250 ms, forever,
 * logging the loss and the recovery once each. A PING every 2 s from
 * nats_link_tick detects a dead server: two unanswered and the link
 * reconnects. A server entering lame-duck mode is left for another, its
 * connection kept for up to 10 s for the replies it still carries. */
#ifndef NATS_LINK_H
#define NATS_LINK_H

#include <event2/event.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "cm_wire.h"

struct nats_link;

/* What the link tells its loop; both run on the loop thread. */
struct nats_link_handler {
    /* A message arrived on "<inbox>.<slot>.<gen>"; m (op CM_WIRE_MSG, with
     * m->status 503 when nobody serves the subject) points into the read
     * buffer and is valid during the call only. The callee may publish. */
    void (*on_reply)(void *ctx, uint32_t slot, uint32_t gen, const struct cm_wire_msg *m);
    /* The connection that was up is lost: nothing published before will be
     * answered. The callee must not free the link. */
    void (*on_lost)(void *ctx);
    void *ctx;
};

/* A link on base to the servers of urls (NATS_URL: comma-separated),
 * saying CONNECT as name, with a fresh random inbox. It starts connecting
 * when base runs. CM_EINVAL (logged) when urls is malformed; *out is then
 * untouched. Caller frees with nats_link_free, after base stopped running. */
cm_err nats_link_new(struct event_base *base, const char *urls, const char *name,
                     const struct nats_link_handler *h, struct nats_link **out);

/* Closes the connection and frees k (NULL is a no-op). Unsent output is
 * dropped; on_lost is not called. */
void nats_link_free(struct nats_link *k);

/* True while the connection is up (subscribed, PONG seen). Safe from any
 * thread (/readyz asks it from the admin thread). */
int nats_link_is_up(const struct nats_link *k);

/* The server's max_payload (from its INFO), 0 while never connected. */
int64_t nats_link_max_payload(const struct nats_link *k);

/* Publishes msg, packed in place into the output buffer, to subject with
 * "<inbox>.<slot>.<gen>" as reply subject; it leaves at the end of this
 * loop iteration. CM_EUNAVAIL while the link is down, CM_ETOOBIG when the
 * packed message is over the server's max_payload, CM_EINVAL when subject is
 * not a valid subject. Loop thread only. */
cm_err nats_link_publish(struct nats_link *k, const char *subject, uint32_t slot, uint32_t gen,
                         const ProtobufCMessage *msg);

/* Call every ~100 ms from the loop (now_ms: cm_now_ms()): PINGs the server
 * every 2 s and reconnects after two unanswered, and gives up on a connect
 * or handshake that takes over 2 s. */
void nats_link_tick(struct nats_link *k, int64_t now_ms);

/* --- pure helpers, exported for the unit test */

/* "<inbox>.<slot>.<gen>" into buf[cap]; its length, or -1 when it does not fit. */
int nats_link_reply_subject(const char *inbox, uint32_t slot, uint32_t gen, char *buf, size_t cap);

/* Reads slot and gen from subject[0..len) when it is "<inbox>.<slot>.<gen>"
 * (decimal, no sign, no leading junk, each fitting 32 bits). 0 on a match,
 * -1 otherwise (*slot and *gen then untouched). */
int nats_link_reply_parse(const char *inbox, const char *subject, size_t len, uint32_t *slot,
                          uint32_t *gen);

#endif
