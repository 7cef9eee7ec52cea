/* cm_wire_session.c: the NATS connection state machine shared by the
 * workers' blocking client and the edge's link (cm_wire_session.h): states,
 * server rounds, handshake, keepalive, lame-duck moves and outage logging,
 * with no I/O and no clock of its own. */
#include "cm_wire_session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats_tls.h"
#include "cm_wire_servers.h"

#define HANDSHAKE_MS 2000
#define CONNECT_LINE_MAX 16384 /* a user JWT may take a few KiB */

static void put(struct cm_wire_session *s, const char *data, size_t len)
{
    s->sink.write(s->sink.ctx, data, len);
}

/* A new round of attempts: NATS_URL and the announced servers, shuffled. */
static void new_round(struct cm_wire_session *s)
{
    char why[128];
    int n = cm_wire_servers_round(s->configured, s->urls, CM_WIRE_MAX_URLS, &s->rng, why,
                                  sizeof why);

    if (n > 0)
        s->nurls = n; /* else the previous list (NATS_URL was checked at init) */
    s->next_url = 0;
    s->round_left = s->nurls;
}

cm_err cm_wire_session_init(struct cm_wire_session *s, const char *urls, const char *name,
                            const struct cm_wire_sink *sink, uint64_t seed)
{
    char why[128];

    memset(s, 0, sizeof *s);
    s->configured = cm_xstrdup(urls ? urls : "");
    s->sink = *sink;
    s->logging = CM_WIRE_LOG_OUTAGES;
    s->handshake_ms = HANDSHAKE_MS;
    s->ping_ms = CM_WIRE_PING_MS;
    s->pings_missed = CM_WIRE_PINGS_MISSED;
    s->rng = seed ? seed : 1;
    snprintf(s->name, sizeof s->name, "%s", name ? name : "");
    s->nurls = cm_wire_urls_parse(s->configured, s->urls, CM_WIRE_MAX_URLS, why, sizeof why);
    if (s->nurls < 0) {
        cm_error("NATS_URL: %s", why);
        s->nurls = 0;
        return CM_EINVAL;
    }
    new_round(s);
    return CM_OK;
}

void cm_wire_session_release(struct cm_wire_session *s)
{
    free(s->configured);
    s->configured = NULL;
}

cm_err cm_wire_session_subscribe(struct cm_wire_session *s, const char *subject, const char *queue,
                                 uint64_t sid)
{
    long n = cm_wire_sub_line(s->subs + s->subs_len, sizeof s->subs - s->subs_len, subject, queue,
                              sid);

    if (n < 0)
        return CM_EINVAL;
    s->subs_len += (size_t)n;
    return CM_OK;
}

void cm_wire_session_log_as(struct cm_wire_session *s, const char *log_name)
{
    snprintf(s->log_name, sizeof s->log_name, "%s", log_name ? log_name : "");
}

void cm_wire_session_keepalive(struct cm_wire_session *s, int interval_ms, int max_missed)
{
    s->ping_ms = interval_ms;
    s->pings_missed = max_missed;
}

const struct cm_wire_url *cm_wire_session_attempt(struct cm_wire_session *s, int64_t now_ms)
{
    s->cur_url = s->next_url;
    s->next_url = (s->next_url + 1) % s->nurls;
    s->round_left--;
    s->state = CM_WIRE_CONNECTING;
    s->connect_sent = 0;
    s->lame_duck = 0;
    s->errors = 0;
    s->deadline_ms = now_ms + s->handshake_ms;
    return &s->urls[s->cur_url];
}

void cm_wire_session_connected(struct cm_wire_session *s)
{
    if (s->state == CM_WIRE_CONNECTING)
        s->state = CM_WIRE_HANDSHAKE;
}

const struct cm_wire_url *cm_wire_session_url(const struct cm_wire_session *s)
{
    return &s->urls[s->cur_url];
}

/* LOST, with why[] set from fmt. */
__attribute__((format(printf, 2, 3))) static enum cm_wire_verdict
fail(struct cm_wire_session *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s->why, sizeof s->why, fmt, ap);
    va_end(ap);
    return CM_WIRE_LOST;
}

/* The handshake's INFO: CONNECT, the SUBs and one PING after them. */
static enum cm_wire_verdict send_connect(struct cm_wire_session *s, const struct cm_wire_msg *m)
{
    const struct cm_wire_url *u = cm_wire_session_url(s);
    char line[CONNECT_LINE_MAX];
    long n = cm_wire_connect_line_info(line, sizeof line, s->name, u->user, u->pass, u->token,
                                       m->text, m->text_len);
    int tls = u->tls || cm_nats_tls_wanted() || cm_nats_tls_info_requires(m->text, m->text_len);

    if (n < 6)
        return fail(s, "cannot write CONNECT");
    s->max_payload = cm_wire_info_max_payload(m->text, m->text_len);
    /* the line ends in "PING\r\n": the SUBs go before it, so that its PONG
     * confirms them too */
    put(s, line, (size_t)n - 6);
    if (s->subs_len)
        put(s, s->subs, s->subs_len);
    put(s, "PING\r\n", 6);
    s->connect_sent = 1;
    return tls ? CM_WIRE_TLS : CM_WIRE_NONE;
}

static enum cm_wire_verdict on_info(struct cm_wire_session *s, const struct cm_wire_msg *m)
{
    int64_t max_payload;

    cm_wire_servers_learn(m->text, m->text_len);
    if (cm_wire_info_ldm(m->text, m->text_len)) {
        if (s->state != CM_WIRE_UP)
            return fail(s, "server in lame-duck mode");
        if (s->lame_duck)
            return CM_WIRE_NONE; /* said once */
        s->lame_duck = 1;
        return CM_WIRE_MOVE;
    }
    if (s->state != CM_WIRE_UP && !s->connect_sent)
        return send_connect(s, m);
    max_payload = cm_wire_info_max_payload(m->text, m->text_len);
    if (max_payload > 0)
        s->max_payload = max_payload;
    return CM_WIRE_NONE;
}

static enum cm_wire_verdict on_pong(struct cm_wire_session *s)
{
    if (s->state == CM_WIRE_UP) {
        s->pings_out = 0;
        return CM_WIRE_NONE;
    }
    if (!s->connect_sent)
        return CM_WIRE_NONE;
    s->state = CM_WIRE_UP;
    s->pings_out = 0;
    s->next_ping_ms = 0;
    s->round_left = s->nurls;
    if (s->logging == CM_WIRE_LOG_OUTAGES && s->outage_logged)
        cm_info("%s%snats connection to %s:%d restored", s->log_name,
                s->log_name[0] ? ": " : "", cm_wire_session_url(s)->host,
                cm_wire_session_url(s)->port);
    else
        cm_debug("connected to nats at %s:%d", cm_wire_session_url(s)->host,
                 cm_wire_session_url(s)->port);
    s->outage_logged = 0;
    return CM_WIRE_READY;
}

static enum cm_wire_verdict on_err(struct cm_wire_session *s, const struct cm_wire_msg *m)
{
    int len = (int)(m->text_len < 120 ? m->text_len : 120);

    if (s->state != CM_WIRE_UP) {
        if (s->logging == CM_WIRE_LOG_REFUSALS)
            cm_warn("nats server refused the connection: %.*s", len, m->text);
        return fail(s, "refused by the server: %.*s", len, m->text);
    }
    s->errors++;
    cm_warn("nats server says: %.*s", len, m->text);
    return CM_WIRE_NONE;
}

enum cm_wire_verdict cm_wire_session_control(struct cm_wire_session *s,
                                             const struct cm_wire_msg *m)
{
    switch (m->op) {
    case CM_WIRE_PING:
        put(s, "PONG\r\n", 6);
        return CM_WIRE_NONE;
    case CM_WIRE_PONG:
        return on_pong(s);
    case CM_WIRE_INFO:
        return on_info(s, m);
    case CM_WIRE_ERR:
        return on_err(s, m);
    case CM_WIRE_MSG:
        return cm_wire_session_feed(s, m);
    case CM_WIRE_OK:
        break;
    }
    return CM_WIRE_NONE;
}

enum cm_wire_verdict cm_wire_session_tick(struct cm_wire_session *s, int64_t now_ms)
{
    switch (s->state) {
    case CM_WIRE_WAITING:
        return CM_WIRE_NONE;
    case CM_WIRE_CONNECTING:
    case CM_WIRE_HANDSHAKE:
        return now_ms > s->deadline_ms ? fail(s, "no answer in time") : CM_WIRE_NONE;
    case CM_WIRE_UP:
        break;
    }
    if (s->next_ping_ms == 0) {
        s->next_ping_ms = now_ms + s->ping_ms;
        return CM_WIRE_NONE;
    }
    if (now_ms < s->next_ping_ms)
        return CM_WIRE_NONE;
    if (s->pings_out >= s->pings_missed)
        return fail(s, "no answer to PING");
    s->pings_out++;
    s->next_ping_ms = now_ms + s->ping_ms;
    put(s, "PING\r\n", 6);
    return CM_WIRE_NONE;
}

int cm_wire_session_lost(struct cm_wire_session *s, const char *why, int *was_up)
{
    const struct cm_wire_url *u = cm_wire_session_url(s);
    int up = s->state == CM_WIRE_UP, wait = 0;

    s->state = CM_WIRE_WAITING;
    if (was_up)
        *was_up = up;
    if (s->logging == CM_WIRE_LOG_OUTAGES && !s->outage_logged) {
        if (up)
            cm_warn("%s%snats connection to %s:%d lost (%s), reconnecting", s->log_name,
                    s->log_name[0] ? ": " : "", u->host, u->port, why);
        else
            cm_warn("%s%scannot connect to nats at %s:%d (%s), retrying", s->log_name,
                    s->log_name[0] ? ": " : "", u->host, u->port, why);
        s->outage_logged = 1;
    }
    if (up)
        new_round(s);
    if (s->round_left <= 0) {
        wait = cm_wire_retry_ms(cm_wire_rng_next(&s->rng));
        new_round(s);
    }
    return wait;
}

void cm_wire_session_move(struct cm_wire_session *s)
{
    cm_info("%s%snats server %s:%d entering lame-duck mode: moving", s->log_name,
            s->log_name[0] ? ": " : "", cm_wire_session_url(s)->host, cm_wire_session_url(s)->port);
    s->state = CM_WIRE_WAITING;
    new_round(s);
}
