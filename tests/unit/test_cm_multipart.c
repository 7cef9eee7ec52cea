/* test_cm_multipart.c: the streaming multipart/form-data reader: boundaries
 * from Content-Type, parts and their data whatever the piece sizes (every
 * split of a body gives the same result), and the refusals of malformed
 * bodies. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_multipart.h"

/* What the callbacks saw, as text: "part(name,filename,ctype)data...end;" */
struct seen {
    char log[4096];
    size_t len;
};

static void add(struct seen *s, const char *p, size_t n)
{
    cr_assert(s->len + n < sizeof s->log);
    memcpy(s->log + s->len, p, n);
    s->len += n;
    s->log[s->len] = '\0';
}

static int on_part(void *ctx, const char *name, const char *filename, const char *ctype)
{
    char b[600];
    int n = snprintf(b, sizeof b, "part(%s,%s,%s)", name, filename, ctype);
    add(ctx, b, (size_t)n);
    return 0;
}

static int on_data(void *ctx, const uint8_t *p, size_t n)
{
    add(ctx, (const char *)p, n);
    return 0;
}

static int on_end(void *ctx)
{
    add(ctx, "end;", 4);
    return 0;
}

/* Feeds body in pieces of step bytes; returns the feed/finish result. */
static cm_err run(const char *boundary, const char *body, size_t step, struct seen *s, char *why)
{
    struct cm_multipart_cb cb = {on_part, on_data, on_end, s};
    struct cm_multipart *mp = cm_multipart_new(boundary, &cb);
    size_t len = strlen(body);
    cm_err err = CM_OK;

    memset(s, 0, sizeof *s);
    for (size_t off = 0; off < len && err == CM_OK; off += step)
        err = cm_multipart_feed(mp, (const uint8_t *)body + off, len - off < step ? len - off : step,
                                why, 128);
    if (err == CM_OK)
        err = cm_multipart_finish(mp, why, 128);
    cm_multipart_free(mp);
    return err;
}

#define BODY                                                                                      \
    "preamble\r\n--XyZ\r\n"                                                                     \
    "Content-Disposition: form-data; name=\"note\"\r\n\r\n"                                     \
    "hello\r\n--XyZ\r\n"                                                                        \
    "Content-Disposition: form-data; name=\"attachment\"; filename=\"a \\\"b\\\".txt\"\r\n"     \
    "Content-Type: text/plain\r\n\r\n"                                                          \
    "line1\r\n--Xy not yet\r\n-\r\n--XyZ--\r\nepilogue"

Test(multipart, every_split_gives_the_same_parts)
{
    struct seen s;
    char why[128];
    cr_assert(eq(int, run("XyZ", BODY, strlen(BODY), &s, why), CM_OK));
    cr_assert(eq(str, s.log,
                 "part(note,,)helloend;part(attachment,a \"b\".txt,text/plain)"
                 "line1\r\n--Xy not yet\r\n-end;"));
    for (size_t step = 1; step < strlen(BODY); step++) {
        struct seen t;
        cr_assert(eq(int, run("XyZ", BODY, step, &t, why), CM_OK), "step %zu: %s", step, why);
        cr_assert(eq(str, t.log, s.log), "step %zu", step);
    }
}

Test(multipart, body_may_start_with_the_delimiter)
{
    struct seen s;
    char why[128];
    cr_assert(eq(int,
                 run("b", "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b--", 3, &s,
                     why),
                 CM_OK));
    cr_assert(eq(str, s.log, "part(x,,)1end;"));
}

Test(multipart, refuses_malformed_bodies)
{
    struct seen s;
    char why[128];
    /* no closing delimiter */
    cr_assert(eq(int, run("b", "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1", 2, &s, why),
                 CM_EINVAL));
    cr_assert(eq(str, why, "multipart body ends before its closing delimiter"));
    /* no delimiter at all */
    cr_assert(eq(int, run("b", "just text", 4, &s, why), CM_EINVAL));
    cr_assert(eq(str, why, "multipart body has no parts"));
    /* a part without a name */
    cr_assert(eq(int, run("b", "--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--", 5, &s, why),
                 CM_EINVAL));
    cr_assert(eq(str, why, "part without a form-data name"));
    /* garbage after a delimiter */
    cr_assert(eq(int, run("b", "--bxx", 5, &s, why), CM_EINVAL));
}

Test(multipart, boundary_from_content_type)
{
    char b[80];
    cr_assert(eq(int, cm_multipart_boundary("multipart/form-data; boundary=abc", b, sizeof b), CM_OK));
    cr_assert(eq(str, b, "abc"));
    cr_assert(eq(int,
                 cm_multipart_boundary("Multipart/Form-Data; charset=x; boundary=\"a b:c\"", b,
                                       sizeof b),
                 CM_OK));
    cr_assert(eq(str, b, "a b:c"));
    cr_assert(eq(int, cm_multipart_boundary("multipart/form-data", b, sizeof b), CM_EINVAL));
    cr_assert(eq(int, cm_multipart_boundary("application/json; boundary=x", b, sizeof b), CM_EINVAL));
    cr_assert(eq(int, cm_multipart_boundary("multipart/form-data; boundary=", b, sizeof b), CM_EINVAL));
    cr_assert(eq(int, cm_multipart_boundary(NULL, b, sizeof b), CM_EINVAL));
}
