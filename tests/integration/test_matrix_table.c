/* test_matrix_table.c: reads what the route x caller matrix checks: the
 * operations of services/<svc>/ops.c (through tests/matrix/ops.sh, so the
 * list comes from the tables themselves) and the rows of
 * tests/matrix/expected.md (test_matrix.h). No stack needed. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_matrix.h"

const char *const mx_caller_names[MX_CALLERS] = {
    "anon", "user", "admin", "b-user", "b-admin", "platform", "client", "b-client", "shared",
};

const char *mx_root(void)
{
    static char root[PATH_MAX];
    const char *stack = getenv("TEST_STACK");
    char *slash;

    if (root[0])
        return root;
    if (stack && stack[0]) {
        snprintf(root, sizeof root, "%s", stack);
        for (int k = 0; k < 2; k++)
            if ((slash = strrchr(root, '/')) != NULL)
                *slash = '\0';
    }
    if (!root[0] && !getcwd(root, sizeof root))
        snprintf(root, sizeof root, ".");
    return root;
}

int mx_load_ops(struct mx_op **out, size_t *n, char *err)
{
    char cmd[PATH_MAX * 2 + 32], line[1024];
    size_t cap = 0;
    FILE *p;
    int rc;

    *out = NULL;
    *n = 0;
    snprintf(cmd, sizeof cmd, "bash '%s/tests/matrix/ops.sh' '%s'", mx_root(), mx_root());
    if (!(p = popen(cmd, "r"))) {
        snprintf(err, 256, "cannot run %.200s", cmd);
        return -1;
    }
    while (fgets(line, sizeof line, p)) {
        struct mx_op o = {0};
        char *f[6], *s = line;
        int k;

        line[strcspn(line, "\n")] = '\0';
        for (k = 0; k < 6 && s; k++) {
            f[k] = s;
            if ((s = strchr(s, '\t')) != NULL)
                *s++ = '\0';
        }
        if (k < 6)
            continue;
        snprintf(o.svc, sizeof o.svc, "%s", f[0]);
        snprintf(o.method, sizeof o.method, "%s", f[1]);
        snprintf(o.path, sizeof o.path, "%s", f[2]);
        snprintf(o.name, sizeof o.name, "%s", f[3]);
        o.built = f[4][0] == '1';
        if (*n == cap) {
            cap = cap ? cap * 2 : 128;
            *out = realloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = o;
    }
    rc = pclose(p);
    if (rc != 0 || *n == 0) {
        snprintf(err, 256, "%.180s failed (status %d, %zu operations)", cmd, rc, *n);
        return -1;
    }
    return 0;
}

/* Splits a markdown table line into trimmed cells without the `` quotes;
 * returns their number (at most max). Modifies line. */
static int cells_of(char *line, char **cell, int max)
{
    int n = 0;
    char *s = line, *bar;

    if (*s != '|')
        return 0;
    s++;
    while (n < max && (bar = strchr(s, '|')) != NULL) {
        char *a = s, *b = bar;
        *bar = '\0';
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            *--b = '\0';
        if (b - a >= 2 && *a == '`' && b[-1] == '`') {
            a++;
            *--b = '\0';
        }
        cell[n++] = a;
        s = bar + 1;
    }
    return n;
}

static int want_of(const char *s, enum mx_want *w)
{
    static const char *const names[] = {"yes", "no", "any", "hide", "see"};
    for (int k = 0; k < 5; k++)
        if (!strcmp(s, names[k])) {
            *w = (enum mx_want)k;
            return 0;
        }
    return -1;
}

static int is_method(const char *s)
{
    return !strcmp(s, "GET") || !strcmp(s, "POST") || !strcmp(s, "PUT") || !strcmp(s, "PATCH") ||
           !strcmp(s, "DELETE");
}

static struct mx_row *find_row(struct mx_row *rows, size_t n, const char *m, const char *p,
                               const char *t)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(rows[k].method, m) && !strcmp(rows[k].path, p) && !strcmp(rows[k].target, t))
            return &rows[k];
    return NULL;
}

int mx_load_table(struct mx_row **out, size_t *n, char *err)
{
    char path[PATH_MAX], line[4096];
    enum { NONE, EXPECT, REQUEST } section = NONE;
    size_t cap = 0;
    int lineno = 0, rc = 0;
    FILE *f;

    *out = NULL;
    *n = 0;
    snprintf(path, sizeof path, "%s/tests/matrix/expected.md", mx_root());
    if (!(f = fopen(path, "r"))) {
        snprintf(err, 256, "cannot open %.200s", path);
        return -1;
    }
    while (rc == 0 && fgets(line, sizeof line, f)) {
        char *c[16];
        int nc;

        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "## ", 3)) {
            section = !strcmp(line, "## Expectations") ? EXPECT
                      : !strcmp(line, "## Requests")   ? REQUEST
                                                       : NONE;
            continue;
        }
        nc = cells_of(line, c, 16);
        if (section == NONE || nc == 0 || !is_method(c[0]))
            continue; /* prose, headers and separators */
        if (section == EXPECT) {
            struct mx_row r = {0};
            if (nc != 3 + MX_CALLERS + 1) {
                snprintf(err, 256, "expected.md:%d: %d cells, want %d", lineno, nc,
                         3 + MX_CALLERS + 1);
                rc = -1;
                break;
            }
            r.line = lineno;
            snprintf(r.method, sizeof r.method, "%s", c[0]);
            snprintf(r.path, sizeof r.path, "%s", c[1]);
            snprintf(r.target, sizeof r.target, "%s", c[2]);
            for (int k = 0; k < MX_CALLERS && rc == 0; k++)
                if (want_of(c[3 + k], &r.want[k]) != 0) {
                    snprintf(err, 256,
                             "expected.md:%d: %s: \"%.40s\" is not yes, no, any, hide or see",
                             lineno, mx_caller_names[k], c[3 + k]);
                    rc = -1;
                }
            if (rc == 0 && find_row(*out, *n, r.method, r.path, r.target)) {
                snprintf(err, 256, "expected.md:%d: %s %.150s %.40s twice", lineno, r.method,
                         r.path, r.target);
                rc = -1;
            }
            if (rc != 0)
                break;
            if (*n == cap) {
                cap = cap ? cap * 2 : 128;
                *out = realloc(*out, cap * sizeof **out);
            }
            (*out)[(*n)++] = r;
        } else {
            struct mx_row *r;
            if (nc != 5) {
                snprintf(err, 256, "expected.md:%d: %d cells in a request row, want 5", lineno, nc);
                rc = -1;
                break;
            }
            if (!(r = find_row(*out, *n, c[0], c[1], c[2]))) {
                snprintf(err, 256,
                         "expected.md:%d: request for %.8s %.120s %.40s, which has no row above",
                         lineno, c[0], c[1], c[2]);
                rc = -1;
                break;
            }
            snprintf(r->query, sizeof r->query, "%s", strcmp(c[3], "-") ? c[3] : "");
            snprintf(r->body, sizeof r->body, "%s", strcmp(c[4], "-") ? c[4] : "");
            r->used = 1;
        }
    }
    fclose(f);
    if (rc == 0 && *n == 0) {
        snprintf(err, 256, "%.180s: no rows under \"## Expectations\"", path);
        rc = -1;
    }
    return rc;
}
