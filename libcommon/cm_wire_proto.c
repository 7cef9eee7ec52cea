/* cm_wire_proto.c: the NATS client protocol as pure functions (cm_wire.h):
 * parsing server operations in place, writing client operations, reading
 * NATS_URL. No I/O here. */
#include "cm_wire.h"

#include "cm_nkey.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MAX_PAYLOAD_ACCEPTED (64u * 1024 * 1024) /* far above any server's max_payload */

/* Case-insensitive: does the line start with keyword followed by a space,
 * a tab or its end? */
static int is_op(const char *line, size_t n, const char *keyword)
{
    size_t k = strlen(keyword);
    if (n < k || strncasecmp(line, keyword, k) != 0)
        return 0;
    return n == k || line[k] == ' ' || line[k] == '\t';
}

/* Splits line[0..n) into at most max space/tab separated fields. */
static int split_fields(const char *line, size_t n, const char **f, size_t *flen, int max)
{
    int count = 0;
    size_t i = 0;

    while (i < n) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= n)
            break;
        if (count == max)
            return -1;
        f[count] = line + i;
        while (i < n && line[i] != ' ' && line[i] != '\t')
            i++;
        flen[count] = (size_t)(line + i - f[count]);
        count++;
    }
    return count;
}

/* A decimal field into *out; -1 unless it is all digits and not absurd. */
static int read_uint(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* The status of an HMSG's header block ("NATS/1.0 503 ...\r\n..."), or 0. */
static int header_status(const char *h, size_t n)
{
    static const char version[] = "NATS/1.0";
    size_t i = sizeof version - 1;
    int status = 0;

    if (n < i || memcmp(h, version, i) != 0)
        return 0;
    while (i < n && h[i] == ' ')
        i++;
    for (int d = 0; d < 3 && i < n && isdigit((unsigned char)h[i]); d++, i++)
        status = status * 10 + (h[i] - '0');
    return status >= 100 && status <= 999 ? status : 0;
}

/* MSG or HMSG whose control line is line[0..n); the payload starts at
 * body (avail bytes there). */
static long parse_msg(const char *line, size_t n, int with_headers, const char *body, size_t avail,
                      struct cm_wire_msg *out)
{
    const char *f[6];
    size_t fl[6];
    uint64_t hdr = 0, total = 0;
    int count = split_fields(line, n, f, fl, 6);
    int want = with_headers ? 5 : 4; /* op subject sid [reply] sizes... */

    if (count != want && count != want + 1)
        return -1;
    out->op = CM_WIRE_MSG;
    out->subject = f[1];
    out->subject_len = fl[1];
    if (read_uint(f[2], fl[2], &out->sid) != 0)
        return -1;
    out->reply = count == want + 1 ? f[3] : NULL;
    out->reply_len = count == want + 1 ? fl[3] : 0;
    if (with_headers) {
        if (read_uint(f[count - 2], fl[count - 2], &hdr) != 0 ||
            read_uint(f[count - 1], fl[count - 1], &total) != 0 || hdr > total)
            return -1;
    } else if (read_uint(f[count - 1], fl[count - 1], &total) != 0) {
        return -1;
    }
    if (total > MAX_PAYLOAD_ACCEPTED)
        return -1;
    if (avail < total + 2)
        return 0;
    if (body[total] != '\r' || body[total + 1] != '\n')
        return -1;
    out->status = with_headers ? header_status(body, (size_t)hdr) : 0;
    out->data = (const uint8_t *)body + hdr;
    out->len = (size_t)(total - hdr);
    return (long)(body + total + 2 - line);
}

long cm_wire_parse(const char *buf, size_t len, struct cm_wire_msg *out)
{
    const char *eol;
    size_t n, taken;

    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0; /* buf may be NULL then */
    eol = memchr(buf, '\n', len < CM_WIRE_MAX_LINE + 1 ? len : CM_WIRE_MAX_LINE + 1);
    if (!eol)
        return len > CM_WIRE_MAX_LINE ? -1 : 0;
    taken = (size_t)(eol - buf) + 1;
    n = taken - 1;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (is_op(buf, n, "MSG"))
        return parse_msg(buf, n, 0, buf + taken, len - taken, out);
    if (is_op(buf, n, "HMSG"))
        return parse_msg(buf, n, 1, buf + taken, len - taken, out);
    if (is_op(buf, n, "PING"))
        out->op = CM_WIRE_PING;
    else if (is_op(buf, n, "PONG"))
        out->op = CM_WIRE_PONG;
    else if (is_op(buf, n, "+OK"))
        out->op = CM_WIRE_OK;
    else if (is_op(buf, n, "INFO") || is_op(buf, n, "-ERR")) {
        size_t skip = 4; /* "INFO" and "-ERR" alike */
        out->op = buf[0] == '-' ? CM_WIRE_ERR : CM_WIRE_INFO;
        while (skip < n && (buf[skip] == ' ' || buf[skip] == '\t'))
            skip++;
        out->text = buf + skip;
        out->text_len = n - skip;
    } else {
        return -1;
    }
    return (long)taken;
}

int64_t cm_wire_info_max_payload(const char *json, size_t len)
{
    json_t *info = json_loadb(json, len, 0, NULL);
    json_t *mp = json_object_get(info, "max_payload");
    int64_t v = json_is_integer(mp) && json_integer_value(mp) > 0 ? json_integer_value(mp) : 0;

    json_decref(info);
    return v;
}

/* A subject (or queue) the protocol can carry: non-empty, no whitespace or
 * control bytes. */
static int token_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 1024)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

static long fitted(int n, size_t cap)
{
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

long cm_wire_connect_line(char *dst, size_t cap, const char *name, const char *user,
                          const char *pass, const char *token)
{
    return cm_wire_connect_line_info(dst, cap, name, user, pass, token, NULL, 0);
}

long cm_wire_connect_line_info(char *dst, size_t cap, const char *name, const char *user,
                               const char *pass, const char *token, const char *info,
                               size_t info_len)
{
    json_t *o = json_pack("{s:b, s:b, s:b, s:b, s:i, s:s, s:s, s:s}", "verbose", 0, "pedantic", 0,
                          "headers", 1, "no_responders", 1, "protocol", 1, "lang", "C",
                          "version", "cm_wire", "name", name ? name : "");
    char *js;
    int n;

    if (!o)
        return -1;
    if (user && *user) {
        json_object_set_new(o, "user", json_string(user));
        json_object_set_new(o, "pass", json_string(pass ? pass : ""));
    }
    if (token && *token)
        json_object_set_new(o, "auth_token", json_string(token));
    if (info && cm_nkey_connect_fields(o, info, info_len) != 0) {
        json_decref(o);
        return -1;
    }
    js = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!js)
        return -1;
    n = snprintf(dst, cap, "CONNECT %s\r\nPING\r\n", js);
    free(js);
    return fitted(n, cap);
}

long cm_wire_sub_line(char *dst, size_t cap, const char *subject, const char *queue, uint64_t sid)
{
    if (!token_ok(subject) || (queue && !token_ok(queue)))
        return -1;
    return fitted(queue ? snprintf(dst, cap, "SUB %s %s %llu\r\n", subject, queue,
                                   (unsigned long long)sid)
                        : snprintf(dst, cap, "SUB %s %llu\r\n", subject, (unsigned long long)sid),
                  cap);
}

long cm_wire_unsub_line(char *dst, size_t cap, uint64_t sid)
{
    return fitted(snprintf(dst, cap, "UNSUB %llu\r\n", (unsigned long long)sid), cap);
}

long cm_wire_pub_line(char *dst, size_t cap, const char *subject, const char *reply, size_t len)
{
    if (!token_ok(subject) || (reply && !token_ok(reply)))
        return -1;
    return fitted(reply ? snprintf(dst, cap, "PUB %s %s %zu\r\n", subject, reply, len)
                        : snprintf(dst, cap, "PUB %s %zu\r\n", subject, len),
                  cap);
}

size_t cm_wire_pub_room(const char *subject, const char *reply, size_t len)
{
    /* "PUB " subject ' ' reply ' ' decimal "\r\n", payload, "\r\n" */
    return 4 + strlen(subject) + 1 + (reply ? strlen(reply) : 0) + 1 + 20 + 2 + len + 2;
}

long cm_wire_pub_frame(char *dst, size_t cap, const char *subject, const char *reply,
                       const ProtobufCMessage *msg, size_t packed_len)
{
    long n = cm_wire_pub_line(dst, cap, subject, reply, packed_len);

    if (n < 0 || (size_t)n + packed_len + 2 > cap)
        return -1;
    protobuf_c_message_pack(msg, (uint8_t *)dst + n);
    memcpy(dst + n + packed_len, "\r\n", 2);
    return n + (long)packed_len + 2;
}

int cm_wire_retry_ms(uint64_t random)
{
    return 200 + (int)(random % 101);
}

uint64_t cm_wire_rng_seed(uint64_t salt)
{
    uint64_t seed = 0;
    struct timespec ts;

    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        seed = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
               ((uint64_t)(uintptr_t)&ts << 20);
    }
    seed ^= salt * 0x9e3779b97f4a7c15u;
    return seed ? seed : 0x9e3779b97f4a7c15u;
}

uint64_t cm_wire_rng_next(uint64_t *state)
{
    uint64_t x = *state ? *state : 0x9e3779b97f4a7c15u;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1du;
}

/* Copies s[0..n) into dst[cap]; -1 when it does not fit. */
static int take(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* One "nats://[cred@]host[:port]" of n bytes. */
static int parse_one(const char *s, size_t n, struct cm_wire_url *u)
{
    const char *end = s + n, *at, *colon;
    char port[8];

    memset(u, 0, sizeof *u);
    u->port = 4222;
    if (n >= 7 && !strncasecmp(s, "nats://", 7))
        s += 7;
    else if (n >= 6 && !strncasecmp(s, "tcp://", 6))
        s += 6;
    else if (n >= 6 && !strncasecmp(s, "tls://", 6)) {
        s += 6;
        u->tls = 1;
    } else if (memmem(s, n, "://", 3))
        return -1; /* no other scheme is spoken here */
    at = memchr(s, '@', (size_t)(end - s));
    if (at) {
        colon = memchr(s, ':', (size_t)(at - s));
        if (colon) {
            if (take(u->user, sizeof u->user, s, (size_t)(colon - s)) ||
                take(u->pass, sizeof u->pass, colon + 1, (size_t)(at - colon - 1)))
                return -1;
        } else if (take(u->token, sizeof u->token, s, (size_t)(at - s))) {
            return -1;
        }
        s = at + 1;
    }
    if (end > s && end[-1] == '/')
        end--;
    colon = memchr(s, ':', (size_t)(end - s));
    if (take(u->host, sizeof u->host, s, (size_t)((colon ? colon : end) - s)) || !u->host[0])
        return -1;
    if (colon) {
        char *stop;
        long p;
        if (take(port, sizeof port, colon + 1, (size_t)(end - colon - 1)) || !port[0])
            return -1;
        p = strtol(port, &stop, 10);
        if (*stop || p < 1 || p > 65535)
            return -1;
        u->port = (int)p;
    }
    return 0;
}

int cm_wire_urls_parse(const char *list, struct cm_wire_url *urls, int max, char *why,
                       size_t whylen)
{
    int count = 0;
    const char *p = list ? list : "";

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *next = p + n + (comma ? 1 : 0);
        while (n && (*p == ' ')) {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n) {
            if (count == max) {
                snprintf(why, whylen, "more than %d NATS servers", max);
                return -1;
            }
            if (parse_one(p, n, &urls[count]) != 0) {
                snprintf(why, whylen, "NATS server address %d is malformed", count + 1);
                return -1;
            }
            count++;
        }
        p = next;
    }
    if (count == 0)
        snprintf(why, whylen, "no NATS server given");
    return count ? count : -1;
}

const char *cm_wire_urls_describe(const struct cm_wire_url *urls, int n, char *out, size_t cap)
{
    size_t used = 0;

    if (cap == 0)
        return out;
    out[0] = '\0';
    for (int i = 0; i < n && used < cap; i++) {
        int w = snprintf(out + used, cap - used, "%s%s://%s:%d", i ? "," : "",
                         urls[i].tls ? "tls" : "nats", urls[i].host, urls[i].port);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return out;
}
