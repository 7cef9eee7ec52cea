/* cm_multipart.c: the streaming multipart/form-data reader (cm_multipart.h):
 * a small state machine over a buffer that holds only what cannot be
 * decided yet (a part's header block, or the tail that may begin a
 * delimiter). */
#include "cm_multipart.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cm_alloc.h"

enum mp_state {
    MP_PREAMBLE, /* before the first delimiter */
    MP_AFTER,    /* after a delimiter: "--" (the end) or CRLF (a part) */
    MP_HEAD,     /* a part's header block */
    MP_DATA,     /* a part's content */
    MP_END,      /* after the closing delimiter: the epilogue is ignored */
    MP_FAILED,
};

struct cm_multipart {
    struct cm_multipart_cb cb;
    enum mp_state state;
    char delim[CM_MULTIPART_MAX_BOUNDARY + 5]; /* "\r\n--" boundary */
    size_t delim_len;
    uint8_t *buf;
    size_t len, cap;
    int parts;
};

static int is_bchar(unsigned char c)
{
    return isalnum(c) || strchr("'()+_,-./:=? ", c) != NULL;
}

cm_err cm_multipart_boundary(const char *ctype, char *out, size_t cap)
{
    const char *p, *b;
    size_t n = 0;

    if (!ctype || strncasecmp(ctype, "multipart/form-data", 19) ||
        (ctype[19] && ctype[19] != ';' && ctype[19] != ' '))
        return CM_EINVAL;
    for (p = ctype + 19; (b = strcasestr(p, "boundary=")); p = b + 9)
        if (b[-1] == ';' || b[-1] == ' ')
            break;
    if (!b)
        return CM_EINVAL;
    b += 9;
    if (*b == '"') {
        for (b++; b[n] && b[n] != '"'; n++)
            ;
        if (b[n] != '"')
            return CM_EINVAL;
    } else {
        while (b[n] && b[n] != ';' && b[n] != ' ')
            n++;
    }
    if (n == 0 || n > CM_MULTIPART_MAX_BOUNDARY || n >= cap || b[n - 1] == ' ')
        return CM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!is_bchar((unsigned char)b[i]))
            return CM_EINVAL;
    memcpy(out, b, n);
    out[n] = '\0';
    return CM_OK;
}

struct cm_multipart *cm_multipart_new(const char *boundary, const struct cm_multipart_cb *cb)
{
    struct cm_multipart *mp = cm_xcalloc(1, sizeof *mp);

    mp->cb = *cb;
    mp->delim_len = (size_t)snprintf(mp->delim, sizeof mp->delim, "\r\n--%s", boundary);
    return mp;
}

void cm_multipart_free(struct cm_multipart *mp)
{
    if (!mp)
        return;
    free(mp->buf);
    free(mp);
}

static cm_err fail(struct cm_multipart *mp, char *why, size_t whylen, const char *text)
{
    mp->state = MP_FAILED;
    snprintf(why, whylen, "%s", text);
    return CM_EINVAL;
}

/* Drops the first n bytes of the buffer. */
static void consume(struct cm_multipart *mp, size_t n)
{
    memmove(mp->buf, mp->buf + n, mp->len - n);
    mp->len -= n;
}

/* Copies the value of parameter name of a Content-Disposition (quoted or
 * token) into out[cap]; "" when absent. */
static void disposition_param(const char *v, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name), o = 0;
    const char *p = v;

    out[0] = '\0';
    while ((p = strchr(p, ';'))) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, name, nl) || p[nl] != '=')
            continue;
        p += nl + 1;
        if (*p == '"') {
            for (p++; *p && *p != '"' && o + 1 < cap; p++) {
                if (*p == '\\' && p[1])
                    p++;
                out[o++] = *p;
            }
        } else {
            for (; *p && *p != ';' && *p != ' ' && o + 1 < cap; p++)
                out[o++] = *p;
        }
        out[o] = '\0';
        return;
    }
}

/* Reads the header block buf[0..n) (without its final CRLF CRLF) and
 * reports the part. */
static cm_err read_head(struct cm_multipart *mp, size_t n, char *why, size_t whylen)
{
    char name[256] = "", filename[256] = "", ctype[128] = "", line[CM_MULTIPART_MAX_HEAD + 1];
    int disposition = 0;
    size_t off = 0;

    while (off < n) {
        const uint8_t *e = memchr(mp->buf + off, '\r', n - off);
        size_t ll = e ? (size_t)(e - (mp->buf + off)) : n - off;
        char *colon, *v;
        memcpy(line, mp->buf + off, ll);
        line[ll] = '\0';
        off += ll + 2;
        colon = strchr(line, ':');
        if (!colon)
            return fail(mp, why, whylen, "malformed part header");
        *colon = '\0';
        for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
            ;
        if (!strcasecmp(line, "content-disposition")) {
            if (strncasecmp(v, "form-data", 9))
                return fail(mp, why, whylen, "part is not form-data");
            disposition = 1;
            disposition_param(v, "name", name, sizeof name);
            disposition_param(v, "filename", filename, sizeof filename);
        } else if (!strcasecmp(line, "content-type")) {
            snprintf(ctype, sizeof ctype, "%s", v);
        }
    }
    if (!disposition || !name[0])
        return fail(mp, why, whylen, "part without a form-data name");
    mp->parts++;
    if (mp->cb.on_part && mp->cb.on_part(mp->cb.ctx, name, filename, ctype))
        return fail(mp, why, whylen, "stopped");
    return CM_OK;
}

/* Runs the state machine over the buffer as far as it can decide. */
static cm_err step(struct cm_multipart *mp, char *why, size_t whylen)
{
    for (;;) {
        const uint8_t *hit;
        size_t keep;

        switch (mp->state) {
        case MP_PREAMBLE: /* the first delimiter may start the body (no CRLF before it) */
            if (mp->len >= mp->delim_len - 2 && !memcmp(mp->buf, mp->delim + 2, mp->delim_len - 2)) {
                consume(mp, mp->delim_len - 2);
                mp->state = MP_AFTER;
                continue;
            }
            hit = memmem(mp->buf, mp->len, mp->delim, mp->delim_len);
            if (hit) {
                consume(mp, (size_t)(hit - mp->buf) + mp->delim_len);
                mp->state = MP_AFTER;
                continue;
            }
            if (mp->len >= mp->delim_len)
                consume(mp, mp->len - mp->delim_len + 1);
            return CM_OK;
        case MP_AFTER:
            if (mp->len < 2)
                return CM_OK;
            if (mp->buf[0] == '-' && mp->buf[1] == '-') {
                mp->state = MP_END;
                continue;
            }
            if (mp->buf[0] != '\r' || mp->buf[1] != '\n')
                return fail(mp, why, whylen, "malformed multipart delimiter");
            consume(mp, 2);
            mp->state = MP_HEAD;
            continue;
        case MP_HEAD:
            if (mp->len >= 2 && mp->buf[0] == '\r' && mp->buf[1] == '\n')
                return fail(mp, why, whylen, "part without headers");
            hit = memmem(mp->buf, mp->len, "\r\n\r\n", 4);
            if (!hit) {
                if (mp->len > CM_MULTIPART_MAX_HEAD)
                    return fail(mp, why, whylen, "part headers too large");
                return CM_OK;
            }
            if ((size_t)(hit - mp->buf) > CM_MULTIPART_MAX_HEAD)
                return fail(mp, why, whylen, "part headers too large");
            if (read_head(mp, (size_t)(hit - mp->buf), why, whylen) != CM_OK)
                return CM_EINVAL;
            consume(mp, (size_t)(hit - mp->buf) + 4);
            mp->state = MP_DATA;
            continue;
        case MP_DATA:
            hit = memmem(mp->buf, mp->len, mp->delim, mp->delim_len);
            keep = hit ? (size_t)(hit - mp->buf)
                       : (mp->len >= mp->delim_len ? mp->len - mp->delim_len + 1 : 0);
            if (keep && mp->cb.on_data && mp->cb.on_data(mp->cb.ctx, mp->buf, keep))
                return fail(mp, why, whylen, "stopped");
            consume(mp, keep);
            if (!hit)
                return CM_OK;
            consume(mp, mp->delim_len);
            if (mp->cb.on_part_end && mp->cb.on_part_end(mp->cb.ctx))
                return fail(mp, why, whylen, "stopped");
            mp->state = MP_AFTER;
            continue;
        case MP_END:
            mp->len = 0;
            return CM_OK;
        case MP_FAILED:
            return fail(mp, why, whylen, "malformed multipart body");
        }
    }
}

cm_err cm_multipart_feed(struct cm_multipart *mp, const uint8_t *p, size_t n, char *why,
                         size_t whylen)
{
    if (mp->state == MP_FAILED)
        return fail(mp, why, whylen, "malformed multipart body");
    if (mp->state == MP_END)
        return CM_OK;
    if (mp->len + n > mp->cap) {
        mp->cap = mp->len + n + 256;
        mp->buf = cm_xrealloc(mp->buf, mp->cap);
    }
    if (n)
        memcpy(mp->buf + mp->len, p, n);
    mp->len += n;
    return step(mp, why, whylen);
}

cm_err cm_multipart_finish(struct cm_multipart *mp, char *why, size_t whylen)
{
    if (mp->state == MP_FAILED)
        return fail(mp, why, whylen, "malformed multipart body");
    if (mp->state != MP_END)
        return fail(mp, why, whylen,
                    mp->parts ? "multipart body ends before its closing delimiter"
                              : "multipart body has no parts");
    return CM_OK;
}
