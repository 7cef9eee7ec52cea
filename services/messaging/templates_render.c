/* templates_render.c: the template language of templates_render.h: a
 * scanner over "{{" tags that either checks a template or renders it into
 * a growing buffer. */
#include "templates_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

/* One tag: its kind, its name (borrowed, len bytes) and where it ends. */
enum tag_kind { TAG_VAR, TAG_RAW, TAG_IF, TAG_UNLESS, TAG_END };
struct tag {
    enum tag_kind kind;
    const char *name;
    size_t len;
    const char *after; /* first byte after the tag */
};

/* The output under construction; sticky overflow flag. */
struct out_buf {
    char *p;
    size_t len, cap;
    int too_big;
};

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

/* Parses the tag starting at s ("{{"); 0 on success, -1 with why. */
static int parse_tag(const char *text, const char *s, struct tag *t, char *why, size_t whylen)
{
    const char *p = s + 2, *close;
    int triple = 0;

    t->kind = TAG_VAR;
    if (*p == '{') {
        triple = 1;
        t->kind = TAG_RAW;
        p++;
    } else if (*p == '#' || *p == '^' || *p == '/') {
        t->kind = *p == '#' ? TAG_IF : *p == '^' ? TAG_UNLESS : TAG_END;
        p++;
    }
    while (*p == ' ')
        p++;
    t->name = p;
    while (name_char(*p))
        p++;
    t->len = (size_t)(p - t->name);
    while (*p == ' ')
        p++;
    close = triple ? "}}}" : "}}";
    if (t->len == 0 || t->len > TEMPLATE_MAX_NAME || strncmp(p, close, strlen(close)) != 0) {
        snprintf(why, whylen,
                 "malformed tag at byte %zu: expected {{name}}, {{{name}}}, "
                 "{{#name}}, {{^name}} or {{/name}} with a name of 1..%d of "
                 "[A-Za-z0-9_.-]",
                 (size_t)(s - text), TEMPLATE_MAX_NAME);
        return -1;
    }
    t->after = p + strlen(close);
    return 0;
}

static const char *lookup(const struct template_vars *vars, const char *name, size_t len)
{
    for (size_t i = 0; vars && i < vars->n; i++)
        if (strlen(vars->names[i]) == len && memcmp(vars->names[i], name, len) == 0)
            return vars->values[i] ? vars->values[i] : "";
    return "";
}

static void put(struct out_buf *b, const char *s, size_t n)
{
    if (b->too_big || b->len + n + 1 > TEMPLATE_MAX_OUT) {
        b->too_big = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 256;
        b->p = cm_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Appends value v, escaped for HTML when html, CR/LF as spaces when one_line. */
static void put_value(struct out_buf *b, const char *v, int html, int one_line)
{
    for (; *v; v++) {
        const char *rep = NULL;
        if (html) {
            switch (*v) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = "&quot;";
                break;
            case '\'':
                rep = "&#39;";
                break;
            default:
                break;
            }
        }
        if (one_line && (*v == '\r' || *v == '\n'))
            rep = " ";
        if (rep)
            put(b, rep, strlen(rep));
        else
            put(b, v, 1);
    }
}

/* Walks text; renders into b when b is not NULL, else only checks. */
static cm_err walk(const char *text, const struct template_vars *vars, int html, int one_line,
                   struct out_buf *b, char *why, size_t whylen)
{
    const char *s = text, *open;
    const char *section = NULL; /* name of the open section */
    size_t section_len = 0;
    int skipping = 0;
    struct tag t;

    while ((open = strstr(s, "{{")) != NULL) {
        if (b && !skipping)
            put(b, s, (size_t)(open - s));
        if (parse_tag(text, open, &t, why, whylen) != 0)
            return CM_EINVAL;
        if (t.kind == TAG_IF || t.kind == TAG_UNLESS) {
            if (section) {
                snprintf(why, whylen, "nested section at byte %zu: sections do not nest",
                         (size_t)(open - text));
                return CM_EINVAL;
            }
            section = t.name;
            section_len = t.len;
            skipping = (lookup(vars, t.name, t.len)[0] == '\0') == (t.kind == TAG_IF);
        } else if (t.kind == TAG_END) {
            if (!section || section_len != t.len || memcmp(section, t.name, t.len) != 0) {
                snprintf(why, whylen, "unmatched {{/%.*s}} at byte %zu", (int)t.len, t.name,
                         (size_t)(open - text));
                return CM_EINVAL;
            }
            section = NULL;
            skipping = 0;
        } else if (b && !skipping) {
            put_value(b, lookup(vars, t.name, t.len), html && t.kind == TAG_VAR, one_line);
        }
        s = t.after;
    }
    if (section) {
        snprintf(why, whylen, "section {{#%.*s}} is not closed", (int)section_len, section);
        return CM_EINVAL;
    }
    if (b)
        put(b, s, strlen(s));
    return CM_OK;
}

cm_err template_check(const char *text, char *why, size_t whylen)
{
    return walk(text, NULL, 0, 0, NULL, why, whylen);
}

cm_err template_render(const char *text, const struct template_vars *vars, int html, int one_line,
                       char **out, char *why, size_t whylen)
{
    struct out_buf b = {NULL, 0, 0, 0};
    cm_err err;

    put(&b, "", 0);
    err = walk(text, vars, html, one_line, &b, why, whylen);
    if (err == CM_OK && b.too_big) {
        snprintf(why, whylen, "the rendered message is over %d bytes", TEMPLATE_MAX_OUT);
        err = CM_ETOOBIG;
    }
    if (err != CM_OK) {
        free(b.p);
        return err;
    }
    *out = b.p;
    return CM_OK;
}
