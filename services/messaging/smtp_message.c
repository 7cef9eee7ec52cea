/* smtp_message.c: the RFC 5322 text of an outgoing email (smtp_message.h). */
#include "smtp_message.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

#define B64_LINE 57 /* input bytes per 76-character base64 line */
#define WORD_IN 45  /* input bytes per RFC 2047 encoded word (60 characters of base64) */

struct buf {
    char *p;
    size_t len, cap;
};

static void add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 1024;
        b->p = cm_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void adds(struct buf *b, const char *s)
{
    add(b, s, strlen(s));
}

static void add_b64(struct buf *b, const unsigned char *in, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *enc = cm_xmalloc(cap);

    sodium_bin2base64(enc, cap, in, n, sodium_base64_VARIANT_ORIGINAL);
    adds(b, enc);
    free(enc);
}

static int ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Subject as is when ASCII, else as RFC 2047 "B" words cut at character
 * boundaries, folded one per line. */
static void add_subject(struct buf *b, const char *s)
{
    size_t n = strlen(s), off = 0, k;

    if (ascii(s)) {
        adds(b, s);
        return;
    }
    while (off < n) {
        k = n - off > WORD_IN ? WORD_IN : n - off;
        while (k > 1 && off + k < n && ((unsigned char)s[off + k] & 0xC0) == 0x80)
            k--; /* do not split a UTF-8 sequence */
        if (off > 0)
            adds(b, "\r\n ");
        adds(b, "=?UTF-8?B?");
        add_b64(b, (const unsigned char *)s + off, k);
        adds(b, "?=");
        off += k;
    }
}

void smtp_message_build(const char *from, const char *to, const char *subject, const char *body,
                        int html, const char *message_id, time_t when, char **out, size_t *out_len)
{
    struct buf b = {NULL, 0, 0};
    char date[64];
    struct tm tm;
    size_t n = strlen(body);

    gmtime_r(&when, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    adds(&b, "Date: ");
    adds(&b, date);
    adds(&b, "\r\nFrom: ");
    adds(&b, from);
    adds(&b, "\r\nTo: ");
    adds(&b, to);
    adds(&b, "\r\nSubject: ");
    add_subject(&b, subject);
    adds(&b, "\r\nMessage-ID: <");
    adds(&b, message_id);
    adds(&b, "@messaging>\r\nMIME-Version: 1.0\r\nContent-Type: ");
    adds(&b, html ? "text/html" : "text/plain");
    adds(&b, "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    for (size_t off = 0; off < n; off += B64_LINE) {
        add_b64(&b, (const unsigned char *)body + off, n - off > B64_LINE ? B64_LINE : n - off);
        adds(&b, "\r\n");
    }
    *out = b.p;
    *out_len = b.len;
}
