/* http_guard.c: strict HTTP/1.1 framing (RFC 9112): request line, header
 * fields, Content-Length / Transfer-Encoding, chunked bodies; and the little
 * of a response head the guard needs to count answers. Pure functions. */
#include "http_guard.h"

#include <string.h>
#include <strings.h>

#define CHUNK_LINE_MAX 256  /* a chunk size with its extensions */
#define TRAILERS_MAX 8192   /* all trailer lines of a chunked body */

static const struct {
    int status;
    const char *text;
} reasons[HG_R_COUNT] = {
    [HG_R_NONE] = {200, "ok"},
    [HG_R_REQUEST_LINE] = {400, "malformed request line"},
    [HG_R_METHOD] = {405, "method not allowed"},
    [HG_R_UNKNOWN_METHOD] = {501, "unknown method"},
    [HG_R_TARGET] = {400, "malformed request target"},
    [HG_R_VERSION] = {505, "HTTP version not supported"},
    [HG_R_BARE_LF] = {400, "line ends without CR"},
    [HG_R_BARE_CR] = {400, "CR without LF"},
    [HG_R_OBS_FOLD] = {400, "folded header line"},
    [HG_R_HEADER] = {400, "malformed header line"},
    [HG_R_NAME_SPACE] = {400, "whitespace before a header's colon"},
    [HG_R_HOST] = {400, "HTTP/1.1 needs exactly one valid Host header"},
    [HG_R_LENGTH] = {400, "malformed Content-Length"},
    [HG_R_LENGTHS] = {400, "conflicting Content-Length headers"},
    [HG_R_LENGTH_AND_TE] = {400, "both Content-Length and Transfer-Encoding"},
    [HG_R_TE] = {400, "unsupported Transfer-Encoding"},
    [HG_R_EXPECT] = {417, "unsupported expectation"},
    [HG_R_RESERVED] = {400, "reserved header"},
    [HG_R_HEAD_TOO_LARGE] = {431, "request header fields too large"},
    [HG_R_BODY_TOO_LARGE] = {413, "request body too large"},
    [HG_R_CHUNK] = {400, "malformed chunked body"},
};

int hg_reason_status(enum hg_reason r)
{
    return r > HG_R_NONE && r < HG_R_COUNT ? reasons[r].status : 400;
}

const char *hg_reason_text(enum hg_reason r)
{
    return r < HG_R_COUNT ? reasons[r].text : "bad request";
}

/* RFC 9110 tchar */
static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t hg_line_end(const char *p, size_t n)
{
    const char *lf = memchr(p, '\n', n);
    return lf ? (size_t)(lf - p) + 1 : 0;
}

size_t hg_head_end(const char *p, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i - 1] == '\n')
            return i + 1;
        if (p[i - 1] == '\r' && i >= 2 && p[i - 2] == '\n')
            return i + 1;
    }
    return 0;
}

/* The line at p[0..n) (LF included) ends in CRLF and holds no other CR or LF. */
static enum hg_reason check_line_end(const char *p, size_t n)
{
    if (n < 2 || p[n - 1] != '\n' || p[n - 2] != '\r')
        return HG_R_BARE_LF;
    if (memchr(p, '\r', n - 2))
        return HG_R_BARE_CR;
    return HG_R_NONE;
}

static const char *const allowed_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
static const char *const other_methods[] = {"HEAD", "OPTIONS", "TRACE", "CONNECT"};

static int in_list(const char *const *list, size_t count, const char *p, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && !memcmp(list[i], p, n))
            return 1;
    return 0;
}

/* Target bytes: visible ASCII but '#' (RFC 3986; no spaces, controls, UTF-8). */
static int target_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f || c == '#')
            return 0;
    }
    return 1;
}

/* Splits a request line into its parts; returns HG_R_NONE or why not. */
static enum hg_reason parse_request_line(const char *p, size_t n, struct hg_head *out)
{
    const char *sp1, *sp2, *target, *v;
    size_t mlen, tlen, vlen = 0;
    enum hg_reason r = check_line_end(p, n);

    if (r != HG_R_NONE)
        return r;
    n -= 2;
    sp1 = memchr(p, ' ', n);
    if (!sp1 || sp1 == p)
        return HG_R_REQUEST_LINE;
    mlen = (size_t)(sp1 - p);
    for (size_t i = 0; i < mlen; i++)
        if (!is_tchar((unsigned char)p[i]))
            return HG_R_REQUEST_LINE;
    target = sp1 + 1;
    sp2 = memchr(target, ' ', n - mlen - 1);
    if (!sp2 || sp2 == target)
        return HG_R_REQUEST_LINE;
    tlen = (size_t)(sp2 - target);
    v = sp2 + 1;
    vlen = n - (size_t)(v - p);
    /* the path is known before anything else is judged: it picks the error style */
    if (target_ok(target, tlen)) {
        const char *path = target, *end = target + tlen;
        if (tlen > 7 && (!strncasecmp(target, "http://", 7) || !strncasecmp(target, "https://", 8))) {
            const char *auth = (const char *)memchr(target, '/', tlen) + 2; /* after "//" */
            path = memchr(auth, '/', (size_t)(end - auth));
            if (!path)
                path = end;
        }
        const char *q = memchr(path, '?', (size_t)(end - path));
        out->path = path;
        out->path_len = (size_t)((q ? q : end) - path);
    }
    if (vlen != 8 || memcmp(v, "HTTP/", 5) || !is_digit((unsigned char)v[5]) || v[6] != '.' ||
        !is_digit((unsigned char)v[7]))
        return HG_R_REQUEST_LINE;
    if (v[5] != '1')
        return HG_R_VERSION;
    out->minor = v[7] - '0';
    if (!in_list(allowed_methods, sizeof allowed_methods / sizeof *allowed_methods, p, mlen))
        return in_list(other_methods, sizeof other_methods / sizeof *other_methods, p, mlen)
                   ? HG_R_METHOD
                   : HG_R_UNKNOWN_METHOD;
    if (!target_ok(target, tlen) || !out->path || (out->path_len && out->path[0] != '/') ||
        (target[0] != '/' && out->path == target))
        return HG_R_TARGET;
    return HG_R_NONE;
}

enum hg_reason hg_request_line(const char *p, size_t n)
{
    struct hg_head h;
    memset(&h, 0, sizeof h);
    return parse_request_line(p, n, &h);
}

/* Value bytes: VCHAR, obs-text, SP, HTAB. */
static int value_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

static int name_is(const char *name, size_t n, const char *want)
{
    return strlen(want) == n && !strncasecmp(name, want, n);
}

/* Host value: a reg-name, IPv4 or [IPv6] with an optional port, or empty. */
static int host_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f || strchr("/?#@\\\"<>{}|^`", c))
            return 0;
    }
    return 1;
}

/* Header state of one request head. */
struct fields {
    int hosts, host_bad, lengths, te, te_bad, expect, expect_bad, close;
    uint64_t length;
};

static enum hg_reason take_field(struct fields *f, const char *name, size_t nlen, const char *v,
                                 size_t vlen)
{
    if (name_is(name, nlen, "host")) {
        f->hosts++;
        f->host_bad |= !host_ok(v, vlen);
    } else if (name_is(name, nlen, "content-length")) {
        uint64_t x = 0;
        if (vlen == 0 || vlen > 18)
            return HG_R_LENGTH;
        for (size_t i = 0; i < vlen; i++) {
            if (!is_digit((unsigned char)v[i]))
                return HG_R_LENGTH;
            x = x * 10 + (uint64_t)(v[i] - '0');
        }
        if (f->lengths++ && x != f->length)
            return HG_R_LENGTHS;
        f->length = x;
    } else if (name_is(name, nlen, "transfer-encoding")) {
        f->te++;
        f->te_bad |= !name_is(v, vlen, "chunked");
    } else if (name_is(name, nlen, "expect")) {
        f->expect++;
        f->expect_bad |= !name_is(v, vlen, "100-continue");
    } else if (name_is(name, nlen, "connection")) {
        f->close |= name_is(v, vlen, "close");
    } else if (name_is(name, nlen, HG_VERDICT_HEADER) || name_is(name, nlen, HG_STREAM_HEADER)) {
        return HG_R_RESERVED;
    }
    return HG_R_NONE;
}

/* Reads the header lines of p[0..n) (after the start line, up to and with
 * the empty line) into f. */
static enum hg_reason read_fields(const char *p, size_t n, struct fields *f)
{
    size_t off = 0;

    while (off < n) {
        size_t len = hg_line_end(p + off, n - off);
        const char *line = p + off, *colon, *v, *vend;
        size_t nlen;
        enum hg_reason r;

        if (len == 0)
            return HG_R_BARE_CR; /* unreachable: the head ends in LF */
        if ((r = check_line_end(line, len)) != HG_R_NONE)
            return r;
        off += len;
        if (len == 2)
            return off == n ? HG_R_NONE : HG_R_HEADER;
        if (line[0] == ' ' || line[0] == '\t')
            return HG_R_OBS_FOLD;
        colon = memchr(line, ':', len - 2);
        if (!colon || colon == line)
            return HG_R_HEADER;
        nlen = (size_t)(colon - line);
        for (size_t i = 0; i < nlen; i++) {
            if (line[i] == ' ' || line[i] == '\t')
                return HG_R_NAME_SPACE;
            if (!is_tchar((unsigned char)line[i]))
                return HG_R_HEADER;
        }
        v = colon + 1;
        vend = line + len - 2;
        while (v < vend && (*v == ' ' || *v == '\t'))
            v++;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
            vend--;
        if (!value_ok(v, (size_t)(vend - v)))
            return HG_R_HEADER;
        if ((r = take_field(f, line, nlen, v, (size_t)(vend - v))) != HG_R_NONE)
            return r;
    }
    return HG_R_HEADER;
}

enum hg_reason hg_request_head(const char *p, size_t n, uint64_t max_body, struct hg_head *out)
{
    size_t first = hg_line_end(p, n);
    struct fields f;
    enum hg_reason r;

    memset(out, 0, sizeof *out);
    memset(&f, 0, sizeof f);
    out->len = n;
    if (first == 0)
        return HG_R_BARE_CR;
    if ((r = parse_request_line(p, first, out)) != HG_R_NONE)
        return r;
    if ((r = read_fields(p + first, n - first, &f)) != HG_R_NONE)
        return r;
    if (out->minor >= 1 && (f.hosts != 1 || f.host_bad))
        return HG_R_HOST;
    if (f.hosts > 1 || f.host_bad)
        return HG_R_HOST;
    if (f.te && f.lengths)
        return HG_R_LENGTH_AND_TE;
    if (f.te && (f.te > 1 || f.te_bad || out->minor == 0))
        return HG_R_TE;
    if (f.expect && (f.expect > 1 || f.expect_bad))
        return HG_R_EXPECT;
    if (f.lengths && f.length > max_body)
        return HG_R_BODY_TOO_LARGE;
    out->body = f.te ? HG_BODY_CHUNKED : f.lengths && f.length ? HG_BODY_LENGTH : HG_BODY_NONE;
    out->content_length = f.length;
    out->expect_continue = f.expect && out->body != HG_BODY_NONE;
    out->close = f.close || out->minor == 0;
    return HG_R_NONE;
}

int hg_response_head(const char *p, size_t n, struct hg_head *out)
{
    size_t first = hg_line_end(p, n), off;
    int chunked = 0, lengths = 0;

    memset(out, 0, sizeof *out);
    out->len = n;
    if (first < 14 || memcmp(p, "HTTP/1.", 7) || p[8] != ' ' || !is_digit((unsigned char)p[9]) ||
        !is_digit((unsigned char)p[10]) || !is_digit((unsigned char)p[11]))
        return -1;
    out->minor = p[7] - '0';
    out->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    for (off = first; off < n;) {
        size_t len = hg_line_end(p + off, n - off);
        const char *line = p + off, *colon, *v, *vend;
        if (len == 0)
            return -1;
        off += len;
        colon = memchr(line, ':', len);
        if (!colon)
            continue;
        v = colon + 1;
        vend = line + len;
        while (v < vend && (*v == ' ' || *v == '\t'))
            v++;
        while (vend > v && (vend[-1] == '\r' || vend[-1] == '\n' || vend[-1] == ' '))
            vend--;
        if (name_is(line, (size_t)(colon - line), "content-length")) {
            uint64_t x = 0;
            for (const char *c = v; c < vend && is_digit((unsigned char)*c) && x < (1ull << 60); c++)
                x = x * 10 + (uint64_t)(*c - '0');
            out->content_length = x;
            lengths = 1;
        } else if (name_is(line, (size_t)(colon - line), "transfer-encoding")) {
            chunked = (size_t)(vend - v) >= 7 && !strncasecmp(vend - 7, "chunked", 7);
        } else if (name_is(line, (size_t)(colon - line), "connection")) {
            out->close |= name_is(v, (size_t)(vend - v), "close");
        }
    }
    if (out->status < 200 || out->status == 204 || out->status == 304)
        out->body = HG_BODY_NONE;
    else if (chunked)
        out->body = HG_BODY_CHUNKED;
    else if (lengths)
        out->body = out->content_length ? HG_BODY_LENGTH : HG_BODY_NONE;
    else
        out->body = HG_BODY_CLOSE;
    return 0;
}

/* --- chunked bodies --- */

enum {
    C_SIZE0,     /* first hex digit of a chunk size */
    C_SIZE,      /* more hex digits, ';' or CR */
    C_EXT,       /* chunk extension up to CR */
    C_SIZE_LF,   /* LF after a size line */
    C_DATA,      /* chunk data */
    C_DATA_CR,   /* CR after chunk data */
    C_DATA_LF,   /* LF after chunk data */
    C_TRAILER0,  /* start of a trailer line, or CR of the final empty line */
    C_TRAILER,   /* inside a trailer line */
    C_TRAILER_LF,/* LF after a trailer line */
    C_END_LF,    /* LF of the final empty line */
};

void hg_chunks_init(struct hg_chunks *c)
{
    memset(c, 0, sizeof *c);
}

int hg_chunks_feed(struct hg_chunks *c, const char *p, size_t n, uint64_t max_body, size_t *used,
                   enum hg_reason *why)
{
    size_t i = 0;

    *why = HG_R_CHUNK;
    while (i < n) {
        unsigned char ch = (unsigned char)p[i];
        int h;

        switch (c->state) {
        case C_SIZE0:
        case C_SIZE:
            h = hex_value(ch);
            if (h >= 0) {
                if (c->left >> 56)
                    return *used = i, -1;
                c->left = c->left * 16 + (uint64_t)h;
                c->state = C_SIZE;
            } else if (c->state == C_SIZE && ch == ';') {
                c->state = C_EXT;
            } else if (c->state == C_SIZE && ch == '\r') {
                c->state = C_SIZE_LF;
            } else {
                return *used = i, -1;
            }
            if (++c->line > CHUNK_LINE_MAX)
                return *used = i, -1;
            i++;
            break;
        case C_EXT:
            if (ch == '\r')
                c->state = C_SIZE_LF;
            else if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
                return *used = i, -1;
            if (++c->line > CHUNK_LINE_MAX)
                return *used = i, -1;
            i++;
            break;
        case C_SIZE_LF:
            if (ch != '\n')
                return *used = i, -1;
            i++;
            c->line = 0;
            if (c->left > max_body || c->total + c->left > max_body) {
                *why = HG_R_BODY_TOO_LARGE;
                return *used = i, -1;
            }
            c->total += c->left;
            c->state = c->left ? C_DATA : C_TRAILER0;
            break;
        case C_DATA: {
            size_t take = n - i < c->left ? n - i : (size_t)c->left;
            i += take;
            c->left -= take;
            if (c->left == 0)
                c->state = C_DATA_CR;
            break;
        }
        case C_DATA_CR:
            if (ch != '\r')
                return *used = i, -1;
            c->state = C_DATA_LF;
            i++;
            break;
        case C_DATA_LF:
            if (ch != '\n')
                return *used = i, -1;
            c->state = C_SIZE0;
            i++;
            break;
        case C_TRAILER0:
            if (ch == '\r') {
                c->state = C_END_LF;
            } else if (is_tchar(ch)) {
                c->state = C_TRAILER;
            } else {
                return *used = i, -1;
            }
            i++;
            break;
        case C_TRAILER:
            if (ch == '\r')
                c->state = C_TRAILER_LF;
            else if (ch == '\n' || (ch < 0x20 && ch != '\t') || ch == 0x7f)
                return *used = i, -1;
            if (++c->trailer > TRAILERS_MAX)
                return *used = i, -1;
            i++;
            break;
        case C_TRAILER_LF:
            if (ch != '\n')
                return *used = i, -1;
            c->state = C_TRAILER0;
            i++;
            break;
        case C_END_LF:
            if (ch != '\n')
                return *used = i, -1;
            *used = i + 1;
            return 1;
        default:
            return *used = i, -1;
        }
    }
    *used = n;
    return 0;
}
