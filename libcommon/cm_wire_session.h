/* cm_wire_session.h: the one NATS connection state machine of the request
 * path (issue 15), written once and driven by both cm_wire clients: the
 * workers' blocking connection (cm_wire_conn.c: socket, poll, SSL) and the
 * edge's link (services/edge/nats_link.c: bufferevent, TLS filter, timers).
 *
 * It does no I/O and reads no clock: the driver tells it what happened (an
 * attempt starts, the TCP connection is up, one parsed server operation,
 * the time, a loss) and gets back a verdict saying what to do; the control
 * lines it sends (CONNECT, the handshake's SUBs, PING, PONG) go through a
 * sink the driver gives, so each client keeps writing into its own buffer.
 *
 * It owns:
 *   - the states: WAITING → CONNECTING → HANDSHAKE → UP, any failure back
 *     to WAITING;
 *   - the server rounds: NATS_URL and the servers the cluster announced,
 *     shuffled per round (cm_wire_servers_round), each tried once per round,
 *     then a wait of cm_wire_retry_ms (200..300 ms) before the next round;
 *   - the handshake: INFO (max_payload, connect_urls learnt, a server in
 *     lame-duck mode refused, TLS wanted?), CONNECT (cm_wire_connect_line_info)
 *     with the handshake's SUBs and one PING after them, so that the PONG
 *     confirms the subscriptions too: any -ERR before it is a failed connect;
 *     a deadline for the whole attempt;
 *   - once up: PING answered, INFO updates (max_payload, learnt servers,
 *     lame-duck mode → "move"), -ERRs counted and logged, and the keepalive
 *     (a PING every CM_WIRE_PING_MS, lost after CM_WIRE_PINGS_MISSED
 *     unanswered);
 *   - logging each outage once (its first failure, then its recovery), or
 *     for a driver that logs outages itself, each server refusal. */
#ifndef CM_WIRE_SESSION_H
#define CM_WIRE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "cm_wire.h"

enum cm_wire_state {
    CM_WIRE_WAITING,    /* no connection; the driver waits, then starts an attempt */
    CM_WIRE_CONNECTING, /* an attempt's TCP connect in flight */
    CM_WIRE_HANDSHAKE,  /* connected: INFO, then the PONG to our CONNECT, awaited */
    CM_WIRE_UP,         /* the server took CONNECT and the handshake's SUBs */
};

/* What the driver must do after feeding an operation or a tick. */
enum cm_wire_verdict {
    CM_WIRE_NONE,    /* nothing (control lines may have been written to the sink) */
    CM_WIRE_DELIVER, /* a MSG while up: hand it to the application */
    CM_WIRE_TLS,     /* INFO read and TLS wanted: drop the operation, check that nothing
                      * else came in the clear, start TLS; what the sink got since goes
                      * out encrypted */
    CM_WIRE_READY,   /* the handshake is done: the connection is up */
    CM_WIRE_MOVE,    /* the server (up) entered lame-duck mode: connect elsewhere
                      * (cm_wire_session_move) and drain this connection */
    CM_WIRE_LOST,    /* give this connection or attempt up: cm_wire_session_lost(why) */
};

/* Where the session writes its control lines: the driver's output buffer. */
struct cm_wire_sink {
    void (*write)(void *ctx, const char *data, size_t len);
    void *ctx;
};

/* Who logs outages. */
enum cm_wire_logging {
    CM_WIRE_LOG_OUTAGES,  /* the session: each outage once, and its recovery */
    CM_WIRE_LOG_REFUSALS, /* the driver logs outages; the session each server refusal */
};

#define CM_WIRE_SESSION_SUBS 512 /* room for the handshake's SUB lines */

/* One connection's state; embed it, all fields are the session's own. */
struct cm_wire_session {
    /* settings */
    char name[64];
    char *configured; /* NATS_URL */
    struct cm_wire_sink sink;
    enum cm_wire_logging logging;
    int handshake_ms; /* an attempt's deadline, from its start */
    int ping_ms;      /* keepalive: a PING this often while up */
    int pings_missed; /* and the connection lost after this many unanswered */
    char subs[CM_WIRE_SESSION_SUBS]; /* SUB lines sent with CONNECT */
    size_t subs_len;
    /* the round of servers */
    struct cm_wire_url urls[CM_WIRE_MAX_URLS];
    int nurls;
    int next_url;   /* the server the next attempt tries */
    int cur_url;    /* the server of the current connection or attempt */
    int round_left; /* attempts left in this round before a wait */
    uint64_t rng;
    /* the connection */
    enum cm_wire_state state;
    int connect_sent;
    int64_t deadline_ms;  /* CONNECTING/HANDSHAKE: given up after it */
    int64_t next_ping_ms; /* UP: 0 until the first tick schedules it */
    int pings_out;        /* keepalive PINGs since the last PONG */
    int64_t max_payload;
    int lame_duck; /* the server announced lame-duck mode while up */
    int errors;    /* -ERRs while up */
    int outage_logged;
    char why[192]; /* the last LOST verdict's reason */
    char log_name[64]; /* "" or who the outage lines name (cm_wire_session_log_as) */
};

/* Sets s up for the servers of urls (NATS_URL, comma-separated), saying
 * CONNECT as name, writing through sink, with the jitter and shuffling
 * drawn from seed (cm_wire_rng_seed), and the first round drawn. Defaults:
 * handshake 2000 ms, the PING policy of cm_wire.h, outages logged by the
 * session. CM_EINVAL (logged) when urls is malformed. Release with
 * cm_wire_session_release either way. */
cm_err cm_wire_session_init(struct cm_wire_session *s, const char *urls, const char *name,
                            const struct cm_wire_sink *sink, uint64_t seed);
void cm_wire_session_release(struct cm_wire_session *s);

/* Adds "SUB subject [queue] sid" to what the handshake sends with CONNECT
 * (before its PING). CM_EINVAL when it is not a valid subject or the room
 * is full. */
cm_err cm_wire_session_subscribe(struct cm_wire_session *s, const char *subject, const char *queue,
                                 uint64_t sid);

/* Outage lines (CM_WIRE_LOG_OUTAGES) start "log_name: " (e.g. "identity
 * worker 2"); CONNECT still says the session's name. */
void cm_wire_session_log_as(struct cm_wire_session *s, const char *log_name);

/* Keepalive settings (defaults CM_WIRE_PING_MS, CM_WIRE_PINGS_MISSED). */
void cm_wire_session_keepalive(struct cm_wire_session *s, int interval_ms, int max_missed);

/* An attempt starts on the round's next server (CONNECTING, the deadline
 * armed from now_ms): the server to dial, borrowed, valid until the next
 * attempt. */
const struct cm_wire_url *cm_wire_session_attempt(struct cm_wire_session *s, int64_t now_ms);

/* The attempt's TCP connection is up: INFO is awaited (HANDSHAKE). */
void cm_wire_session_connected(struct cm_wire_session *s);

/* Every operation other than MSG (cm_wire_session_feed's slow path). */
enum cm_wire_verdict cm_wire_session_control(struct cm_wire_session *s,
                                             const struct cm_wire_msg *m);

/* One server operation m, as parsed: DELIVER a MSG while up (the per-message
 * path: one comparison, nothing written), else what the handshake or the
 * keepalive makes of it. */
static inline enum cm_wire_verdict cm_wire_session_feed(struct cm_wire_session *s,
                                                        const struct cm_wire_msg *m)
{
    if (m->op == CM_WIRE_MSG)
        return s->state == CM_WIRE_UP ? CM_WIRE_DELIVER : CM_WIRE_NONE;
    return cm_wire_session_control(s, m);
}

/* The time is now_ms: LOST when an attempt is past its deadline or a PING
 * is due while pings_missed went unanswered; otherwise NONE, with a PING
 * written when one is due (the first tick after READY schedules it). */
enum cm_wire_verdict cm_wire_session_tick(struct cm_wire_session *s, int64_t now_ms);

/* The connection or attempt is gone (why: lowercase, no secrets): back to
 * WAITING, the outage logged once. Returns how long to wait before the next
 * attempt: 0 while this round has servers left, else cm_wire_retry_ms (and
 * a new round is drawn; a connection that was up starts a new round too).
 * *was_up (may be NULL) says whether it was up: replies to what was sent on
 * it will not come. */
int cm_wire_session_lost(struct cm_wire_session *s, const char *why, int *was_up);

/* After MOVE: the driver keeps the leaving server's connection aside; the
 * session goes back to WAITING with a new round, for an attempt at once. */
void cm_wire_session_move(struct cm_wire_session *s);

/* The server of the current connection or attempt (borrowed). */
const struct cm_wire_url *cm_wire_session_url(const struct cm_wire_session *s);

#endif
