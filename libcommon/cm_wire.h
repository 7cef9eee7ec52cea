/* cm_wire.h: the NATS client protocol, spoken directly on the request path.
 *
 * The data plane (edge → service → edge) uses its own small client instead
 * of nats.c: on this path nats.c hands every message from its reader thread
 * to a delivery thread and writes every reply with its own syscall, and on
 * the machines the suite runs on a thread wake-up or a syscall costs more
 * than handling the request. Here one read takes every message the server
 * has sent, they are handled on the reading thread, and the replies of a
 * batch leave in one write. nats.c stays for everything else (JetStream,
 * events, typed RPCs made from handlers).
 *
 * Layers:
 *   - the protocol, pure functions on bytes: cm_wire_parse reads one server
 *     operation (INFO, MSG, HMSG, PING, PONG, +OK, -ERR) in place, and the
 *     cm_wire_*_line helpers write client operations (CONNECT, SUB, UNSUB,
 *     PUB, HPUB);
 *   - server addresses: cm_wire_urls_parse reads NATS_URL ("nats|tls://[user:pass@|
 *     token@]host:port", comma-separated); cm_wire_servers.h adds the
 *     servers the cluster announces and shuffles them per round;
 *   - the connection state machine, without I/O (cm_wire_session.h): states,
 *     server rounds and retry wait, handshake, keepalive, lame-duck mode,
 *     -ERRs and outage logging, written once for both clients below;
 *   - its two drivers, which only do I/O: a blocking connection for a
 *     service's worker thread (struct cm_wire_conn, here: socket, poll,
 *     SSL): open, subscribe, publish into an output buffer, and
 *     cm_wire_pump, which reads what arrived, calls back for each message
 *     and flushes the replies in one write; the workers' persistent client
 *     over it (cm_wire_client_*: one session across reconnects, lame-duck
 *     moves, keepalive); and the edge's link on its
 *     libevent loop (services/edge/nats_link.c: bufferevent, TLS filter,
 *     timers). */
#ifndef CM_WIRE_H
#define CM_WIRE_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

/* The one PING policy of every NATS connection (the edge's link, the
 * workers' cm_wire connections and nats.c's through cm_nats.c): a PING
 * every CM_WIRE_PING_MS, and the connection is given up when
 * CM_WIRE_PINGS_MISSED in a row went unanswered (a half-open socket or a
 * frozen server is noticed within ~3 intervals). */
#define CM_WIRE_PING_MS 2000
#define CM_WIRE_PINGS_MISSED 2

/* Longest control line accepted from the server (MSG/HMSG/INFO/-ERR). */
#define CM_WIRE_MAX_LINE 16384

enum cm_wire_op {
    CM_WIRE_MSG = 1, /* MSG or HMSG */
    CM_WIRE_PING,
    CM_WIRE_PONG,
    CM_WIRE_INFO,
    CM_WIRE_OK,
    CM_WIRE_ERR,
};

/* One server operation, pointing into the parsed buffer (nothing is
 * copied; valid while that buffer is). Strings are not NUL-terminated. */
struct cm_wire_msg {
    enum cm_wire_op op;
    const char *subject; /* MSG */
    size_t subject_len;
    const char *reply; /* MSG: NULL when the message has no reply subject */
    size_t reply_len;
    uint64_t sid;
    const uint8_t *data; /* MSG payload, without headers */
    size_t len;
    int status;       /* HMSG: the status of "NATS/1.0 503" (503: no responders), else 0 */
    const char *text; /* INFO: the JSON; -ERR: the message */
    size_t text_len;
};

/* Parses one operation at the start of buf[0..len). Returns the bytes it
 * takes (> 0) and fills *out; 0 when buf holds only part of it (read more);
 * -1 when the bytes are not the NATS protocol (close the connection). */
long cm_wire_parse(const char *buf, size_t len, struct cm_wire_msg *out);

/* max_payload of an INFO's JSON, or 0 when absent or unreadable. */
int64_t cm_wire_info_max_payload(const char *json, size_t len);

/* --- client operations, written into dst[cap]; each returns its length,
 * or -1 when it does not fit or a subject is not a valid token list. */

/* CONNECT with headers and no_responders on, verbose off; user/pass or
 * token when not NULL; then PING, so the PONG confirms the server took it. */
long cm_wire_connect_line(char *dst, size_t cap, const char *name, const char *user,
                          const char *pass, const char *token);
/* The same, answering the server's INFO json[0..info_len): with the NKey
 * or credentials of cm_nkey.h, when configured, signing its nonce. -1 too
 * when they are configured but cannot be used. */
long cm_wire_connect_line_info(char *dst, size_t cap, const char *name, const char *user,
                               const char *pass, const char *token, const char *info,
                               size_t info_len);
/* SUB subject [queue] sid */
long cm_wire_sub_line(char *dst, size_t cap, const char *subject, const char *queue, uint64_t sid);
/* UNSUB sid */
long cm_wire_unsub_line(char *dst, size_t cap, uint64_t sid);
/* The line before a payload of len bytes: "PUB subject [reply] len". The
 * payload and a final "\r\n" follow it. */
long cm_wire_pub_line(char *dst, size_t cap, const char *subject, const char *reply, size_t len);

/* Room a whole PUB of a len-byte payload to subject/reply needs at most. */
size_t cm_wire_pub_room(const char *subject, const char *reply, size_t len);

/* A whole PUB of msg (packed_len bytes packed) written into dst[cap]: the
 * line, msg packed in place, "\r\n". Its length, or -1 as cm_wire_pub_line.
 * Both clients frame with it: the packed message is never copied. */
long cm_wire_pub_frame(char *dst, size_t cap, const char *subject, const char *reply,
                       const ProtobufCMessage *msg, size_t packed_len);

/* Wait before the next connect attempt after a lost connection, from a
 * random value: 200..300 ms, so that clients do not come back in step. */
int cm_wire_retry_ms(uint64_t random);

/* A per-thread random generator (xorshift64*) for the retry jitter: each
 * thread keeps its own state, seeded by cm_wire_rng_seed from getrandom
 * (or the clock, the thread and salt when that fails), so that threads and
 * processes do not draw the same numbers and nothing is shared (rand() is
 * neither per-thread nor seeded). Never 0. */
uint64_t cm_wire_rng_seed(uint64_t salt);
uint64_t cm_wire_rng_next(uint64_t *state);

/* --- server addresses */

#define CM_WIRE_MAX_URLS 16

struct cm_wire_url {
    char host[256];
    int port;
    char user[128]; /* "" when none */
    char pass[128];
    char token[256];
    int tls; /* tls:// */
    char tls_name[256]; /* discovered servers: the name their certificate is checked
                         * against (the first configured host, as nats.go does); "" → host */
};

/* Parses a comma-separated NATS_URL list into urls (at most max). Returns
 * the count, or -1 with why[] when one is malformed. */
int cm_wire_urls_parse(const char *list, struct cm_wire_url *urls, int max, char *why,
                       size_t whylen);

/* The n servers of urls as "scheme://host:port,..." into out[cap] (cut short
 * when it does not fit), without user, password or token: what a log line
 * may name. Returns out. */
const char *cm_wire_urls_describe(const struct cm_wire_url *urls, int n, char *out, size_t cap);

/* --- a blocking connection, for one thread */

struct cm_wire_conn;

/* Connects to the first that answers of urls (comma-separated NATS_URL)
 * and of the servers the cluster announced (cm_wire_servers.h), tried in a
 * random order, skipping a server in lame-duck mode;
 * says CONNECT as name, and waits up to timeout_ms for the server's PONG.
 * CM_EUNAVAIL when none answers or the server refuses; *out is then NULL. */
cm_err cm_wire_open(const char *urls, const char *name, int timeout_ms,
                    struct cm_wire_conn **out);

/* Closes and frees c (NULL is a no-op). Unflushed output is dropped. */
void cm_wire_close(struct cm_wire_conn *c);

/* True once the server announced lame-duck mode (INFO "ldm"): open a new
 * connection (it lands on another server) and drain this one. */
int cm_wire_lame_duck(const struct cm_wire_conn *c);

/* -ERRs the server sent on c so far (any before the PONG that confirms a
 * SUB means the subscription failed: treat the connect as failed). */
int cm_wire_errors(const struct cm_wire_conn *c);

/* The server's max_payload (from its INFO). */
int64_t cm_wire_max_payload(const struct cm_wire_conn *c);

/* Queues SUB / UNSUB (sent by the next flush or pump). */
cm_err cm_wire_sub(struct cm_wire_conn *c, const char *subject, const char *queue, uint64_t sid);
cm_err cm_wire_unsub(struct cm_wire_conn *c, uint64_t sid);

/* Queues a message of len bytes for subject (reply may be NULL). */
cm_err cm_wire_pub(struct cm_wire_conn *c, const char *subject, const char *reply,
                   const void *data, size_t len);

/* Queues msg packed in place (no copy). CM_ETOOBIG past max_payload. */
cm_err cm_wire_pub_msg(struct cm_wire_conn *c, const char *subject, const char *reply,
                       const ProtobufCMessage *msg);

/* Writes everything queued. CM_EUNAVAIL when the connection is lost. */
cm_err cm_wire_flush(struct cm_wire_conn *c);

/* Called by cm_wire_pump for each MSG; m points into the read buffer. */
typedef void (*cm_wire_on_msg)(void *ctx, const struct cm_wire_msg *m);

/* Waits up to timeout_ms for input, then handles every complete operation
 * read: MSG to on_msg, PING answered, -ERR logged. Whatever on_msg queued is
 * flushed before returning. Returns CM_OK (also when nothing came), or
 * CM_EUNAVAIL when the connection is lost or the server spoke nonsense (then
 * close it and open a new one). *pongs, when not NULL, is increased by the
 * PONGs seen. */
cm_err cm_wire_pump(struct cm_wire_conn *c, int timeout_ms, cm_wire_on_msg on_msg, void *ctx,
                    int *pongs);

/* Queues a PING (its PONG comes back through cm_wire_pump's *pongs). */
cm_err cm_wire_ping(struct cm_wire_conn *c);

/* Keepalive, called after each cm_wire_pump (as the edge's link does): the
 * first call schedules a PING interval_ms later; once that time has come it
 * sends a PING (flushed at once) and schedules the next. Any PONG the pump
 * reads clears the count of unanswered PINGs. Returns CM_EUNAVAIL when a
 * PING is due while max_missed PINGs in a row went unanswered: the socket
 * is half-open or the server frozen, so close c and open a new one.
 * CM_OK otherwise (CM_EUNAVAIL too when the PING cannot be written). */
cm_err cm_wire_keepalive(struct cm_wire_conn *c, int interval_ms, int max_missed);

/* --- a persistent client, for a worker thread: one cm_wire_session for
 * its whole life, driven here (issue 15: the reconnect logic written once,
 * in the session, for this driver and the edge's link). It connects with
 * its subscriptions as the handshake's SUBs (the PONG confirms them; an
 * -ERR before it fails the attempt), reconnects by the session's rounds and
 * waits, logs each outage once through the session, keeps alive by the
 * session's tick, and moves off a server entering lame-duck mode: a new
 * connection with the same SUBs first, then UNSUB + PING on the old one,
 * whose messages up to the PONG (at most 2 s) still go to on_msg, the
 * replies leaving on the new one. */

struct cm_wire_client;

/* Called after each read's messages went to on_msg (e.g. to run the
 * requests a batch holds and flush their replies). */
typedef void (*cm_wire_after_read)(void *ctx);

/* A client for urls (NATS_URL), saying CONNECT as name; its outage lines
 * name log_name (e.g. "identity worker 2"). Not connected yet (the first
 * pump does). CM_EINVAL when urls is malformed. */
cm_err cm_wire_client_new(const char *urls, const char *name, const char *log_name,
                          struct cm_wire_client **out);
void cm_wire_client_free(struct cm_wire_client *cl);

/* Adds a subscription (before the first pump; at most 8). */
cm_err cm_wire_client_subscribe(struct cm_wire_client *cl, const char *subject, const char *queue,
                                uint64_t sid);

void cm_wire_client_after_read(struct cm_wire_client *cl, cm_wire_after_read after, void *ctx);

/* Keepalive settings (defaults CM_WIRE_PING_MS, CM_WIRE_PINGS_MISSED). */
void cm_wire_client_keepalive(struct cm_wire_client *cl, int interval_ms, int max_missed);

/* The connection replies are queued on (cm_wire_pub*, cm_wire_flush): the
 * same object for the client's life; while it is down, what is queued is
 * dropped by the next flush (CM_EUNAVAIL). */
struct cm_wire_conn *cm_wire_client_conn(struct cm_wire_client *cl);

/* True while connected (the handshake done). */
int cm_wire_client_up(const struct cm_wire_client *cl);

/* Down: after the session's wait (slept, up to timeout_ms), a round of
 * attempts. Up: cm_wire_pump for up to timeout_ms, then the lame-duck move
 * or the keepalive. CM_OK when connected at the end, else CM_EUNAVAIL. */
cm_err cm_wire_client_pump(struct cm_wire_client *cl, int timeout_ms, cm_wire_on_msg on_msg,
                           void *ctx);

/* Stops taking messages: UNSUB, and what arrived before it to on_msg until
 * the server's PONG (at most timeout_ms). */
void cm_wire_client_drain(struct cm_wire_client *cl, int timeout_ms, cm_wire_on_msg on_msg,
                          void *ctx);

#endif
