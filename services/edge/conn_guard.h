/* conn_guard.h: every client connection of an edge loop, wrapped in a
 * bufferevent filter that evhttp reads through (evhttp_set_bevcb).
 *
 * Input: each request is checked by http_guard.h before evhttp sees a byte
 * of it: a valid head is passed on (its Content-Length body streamed after
 * it; a chunked body held until it is complete and valid), pipelined
 * requests one after the other. A request that breaks RFC 9112 or the
 * limits is replaced by a verdict request (HG_VERDICT_HEADER, "Connection:
 * close"), which proxy.c answers in the surface's JSON style in its turn,
 * after the answers to the requests before it; nothing more of that
 * connection is passed on: the answer says "Connection: close", the sending
 * side is shut down once it is written, and what the client still sends is
 * read and discarded for a bounded time and size (lingering close, as nginx
 * does) before the socket is closed, so that a client still sending a body
 * reads the answer instead of a broken pipe. Output: evhttp's answers are counted, so the guard knows when
 * a connection is idle. On drain, idle connections are closed. */
#ifndef EDGE_CONN_GUARD_H
#define EDGE_CONN_GUARD_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stddef.h>
#include <stdint.h>

struct edge_loop;
struct conn_guard;
struct pending;

/* evhttp's bevcb (arg = the loop): a filter over a new socket bufferevent,
 * registered with the loop. NULL when out of memory. Loop thread. */
struct bufferevent *conn_guard_bevcb(struct event_base *base, void *arg);

/* Number of client connections the loop has open. */
unsigned conn_guard_count(const struct edge_loop *l);

/* Closes every connection of l that is idle: no request being read, none
 * passed to evhttp still unanswered, nothing left to write, and no byte in
 * or out for 250 ms. Loop thread. */
void conn_guard_close_idle(struct edge_loop *l);

/* --- streamed uploads (edge_route_streams_body). The guard passes such a
 * request's head to evhttp with "Content-Length: 0" and HG_STREAM_HEADER
 * (the real length) and keeps the body in the socket buffer, reading at most
 * 2 x CM_STREAM_CHUNK bytes ahead; the proxy takes it piece by piece as the
 * service pulls. Chunked (Transfer-Encoding) uploads are not streamed. All
 * loop thread. */

/* The guard of req's connection while it withholds a streamed body; NULL
 * otherwise. Borrowed, valid until the connection closes (then the attached
 * pending hears proxy_on_body_gone). */
struct conn_guard *conn_guard_of(struct edge_loop *l, struct evhttp_request *req);

/* p takes g's body: proxy_on_body_data(p) whenever bytes wait. */
void conn_guard_stream_attach(struct conn_guard *g, struct pending *p);
/* p no longer takes it (p is being freed). */
void conn_guard_stream_detach(struct conn_guard *g, struct pending *p);

/* Body bytes waiting now, and body bytes not yet taken. */
size_t conn_guard_stream_avail(const struct conn_guard *g);
uint64_t conn_guard_stream_left(const struct conn_guard *g);

/* The next n (<= avail) body bytes, contiguous; borrowed until the take. */
const void *conn_guard_stream_peek(struct conn_guard *g, size_t n);
/* Consumes n (<= avail) body bytes; at the last one the guard reads heads again. */
void conn_guard_stream_take(struct conn_guard *g, size_t n);

/* The service answered before taking the whole body: the rest is read and
 * discarded, and the connection closes after the answer. Call before the
 * answer is sent. */
void conn_guard_stream_abandon(struct conn_guard *g);

#endif
