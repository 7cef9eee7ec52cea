/* test_matrix.c: suite "matrix", the route x caller matrix of issue 9: every
 * built operation of every service (read from the services' ops.c tables by
 * tests/matrix/ops.sh) against nine callers, each cell's expected outcome
 * read from tests/matrix/expected.md (see its top for what yes, no, any and
 * hide mean, and the README's "Route x caller matrix").
 *   - table_covers_every_operation: no stack needed; fails when a built
 *     operation has no row, or a row names an operation that is gone or not
 *     built;
 *   - stubs_answer_501: what ops.c says is not built answers 501;
 *   - every_cell: sends each row's request as each caller and prints a
 *     compact summary; any 2xx where the table says no fails (so does a
 *     refusal where it says yes or see, a list that shows what it should
 *     hide or does not show what it should, and any 5xx). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_matrix.h"

TestSuite(matrix, .timeout = 900);

static const char *const want_names[] = {"yes", "no", "any", "hide", "see"};

static int is_2xx(long s)
{
    return s >= 200 && s < 300;
}

Test(matrix, table_covers_every_operation)
{
    struct mx_op *ops;
    struct mx_row *rows;
    size_t nops, nrows, problems = 0, built = 0;
    char err[256];

    cr_assert(eq(int, mx_load_ops(&ops, &nops, err), 0), "%s", err);
    cr_assert(eq(int, mx_load_table(&rows, &nrows, err), 0), "%s", err);
    for (size_t i = 0; i < nops; i++) {
        int found = 0;
        if (!ops[i].built)
            continue;
        built++;
        for (size_t k = 0; k < nrows && !found; k++)
            found = !strcmp(rows[k].method, ops[i].method) && !strcmp(rows[k].path, ops[i].path);
        if (!found) {
            problems++;
            fprintf(stderr,
                    "matrix: %s %s (%s, services/%s/ops.c) is built but has no row in "
                    "tests/matrix/expected.md (tests/matrix/ops.sh --missing prints one)\n",
                    ops[i].method, ops[i].path, ops[i].name, ops[i].svc);
        }
    }
    for (size_t k = 0; k < nrows; k++) {
        int found = 0;
        for (size_t i = 0; i < nops && !found; i++)
            found = ops[i].built && !strcmp(rows[k].method, ops[i].method) &&
                    !strcmp(rows[k].path, ops[i].path);
        if (!found) {
            problems++;
            fprintf(stderr,
                    "matrix: expected.md:%d names %s %s, which no ops.c table has as a built "
                    "operation\n",
                    rows[k].line, rows[k].method, rows[k].path);
        }
    }
    fprintf(stderr, "matrix: %zu operations in ops.c, %zu built, %zu rows in expected.md\n", nops,
            built, nrows);
    free(ops);
    free(rows);
    cr_assert(eq(sz, problems, 0), "%zu operations and rows disagree (listed above)", problems);
}

Test(matrix, stubs_answer_501)
{
    struct mx_op *ops;
    size_t nops, bad = 0, stubs = 0;
    char err[256];

    IT_REQUIRE_STACK();
    cr_assert(eq(int, mx_load_ops(&ops, &nops, err), 0), "%s", err);
    for (size_t i = 0; i < nops; i++) {
        long s;
        if (ops[i].built)
            continue;
        stubs++;
        s = mx_send_stub(ops[i].method, ops[i].path);
        if (s != 501) {
            bad++;
            fprintf(stderr, "matrix: stub %s %s answered %ld, not 501\n", ops[i].method,
                    ops[i].path, s);
        }
    }
    fprintf(stderr, "matrix: %zu operations not built, each answered 501 but %zu\n", stubs, bad);
    free(ops);
    cr_assert(eq(sz, bad, 0));
}

/* True when the JSON (or text) body names id outside "links" and "meta". */
static int body_names(const char *body, const char *id)
{
    json_t *doc = json_loads(body, 0, NULL);
    char *text;
    int found;

    if (!id[0])
        return 0;
    if (!doc)
        return strstr(body, id) != NULL;
    if (json_is_object(doc)) {
        json_object_del(doc, "links");
        json_object_del(doc, "meta");
    }
    text = json_dumps(doc, JSON_COMPACT);
    found = text && strstr(text, id) != NULL;
    free(text);
    json_decref(doc);
    return found;
}

/* Empty when status fits want, else why not (into why, 96 bytes). */
static void judge(enum mx_want want, long status, const char *body, const char *target, char *why)
{
    why[0] = '\0';
    if (status == 0 || status >= 500)
        snprintf(why, 96, "server error or no answer");
    else if ((want == MX_YES || want == MX_SEE) && !is_2xx(status))
        snprintf(why, 96, "refused where the table says %s", want == MX_YES ? "yes" : "see");
    else if (want == MX_NO && is_2xx(status))
        snprintf(why, 96, "2xx where the table says no");
    else if (want == MX_HIDE && is_2xx(status) && body_names(body, target))
        snprintf(why, 96, "the answer shows the target %.40s", target);
    else if (want == MX_SEE && !body_names(body, target))
        snprintf(why, 96, "the answer does not show the target %.40s", target);
}

Test(matrix, every_cell)
{
    struct mx_row *rows;
    size_t nrows, nops = 0, cells = 0, failures = 0, weak = 0;
    char err[256], target[64], why[96];
    size_t cap = (size_t)4 << 20; /* whole answers: a list must be read to its end */
    char *body = malloc(cap);
    long status;

    IT_REQUIRE_STACK();
    cr_assert(body != NULL);
    cr_assert(eq(int, mx_load_table(&rows, &nrows, err), 0), "%s", err);
    mx_world_build();
    for (size_t k = 0; k < nrows; k++) {
        for (int c = 0; c < MX_CALLERS; c++) {
            const struct mx_row *r = &rows[k];
            if (mx_send(r, (enum mx_caller)c, &status, body, cap, target) != 0) {
                failures++;
                fprintf(stderr, "matrix: FAIL expected.md:%d %s %s [%s] %s: cannot send: %.200s\n",
                        r->line, r->method, r->path, r->target, mx_caller_names[c], body);
                continue;
            }
            cells++;
            judge(r->want[c], status, body, target, why);
            if (r->want[c] == MX_NO && status == 400)
                weak++;
            if (why[0]) {
                failures++;
                fprintf(stderr,
                        "matrix: FAIL expected.md:%d %s %s [%s] %s: want %s, got %ld (%s): "
                        "%.200s\n",
                        r->line, r->method, r->path, r->target, mx_caller_names[c],
                        want_names[r->want[c]], status, why, body);
            }
        }
    }
    for (size_t k = 0; k < nrows; k++) {
        int seen = 0;
        for (size_t j = 0; j < k && !seen; j++)
            seen = !strcmp(rows[j].method, rows[k].method) && !strcmp(rows[j].path, rows[k].path);
        nops += !seen;
    }
    fprintf(stderr,
            "matrix: %zu operations in %zu rows x %d callers = %zu cells checked, %zu failed; "
            "%zu \"no\" cells were refused with 400 (bad input) rather than for access\n",
            nops, nrows, MX_CALLERS, cells, failures, weak);
    free(rows);
    free(body);
    cr_assert(eq(sz, failures, 0), "%zu cells differ from tests/matrix/expected.md", failures);
}
