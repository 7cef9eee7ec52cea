/* test_matrix.h: the route x caller matrix (suite "matrix", issue 9): what
 * test_matrix_table.c reads (every operation of services/<svc>/ops.c through
 * tests/matrix/ops.sh, and the expectations of tests/matrix/expected.md),
 * what test_matrix_world.c builds (two organizations, their people and
 * clients, and the A-side resources the paths name) and what
 * test_matrix.c checks with them. */
#ifndef TEST_MATRIX_H
#define TEST_MATRIX_H

#include <stddef.h>

#include "test_users_fixtures.h"

/* The callers, in the order of the table's columns. */
enum mx_caller {
    MX_ANON,     /* no credentials */
    MX_USER,     /* plain member (patient) of A */
    MX_ADMIN,    /* admin of A */
    MX_B_USER,   /* plain member of B */
    MX_B_ADMIN,  /* admin of B */
    MX_PLATFORM, /* the platform admin */
    MX_CLIENT,   /* API client of A (role admin) */
    MX_B_CLIENT, /* API client of B (role admin) */
    MX_SHARED,   /* member of A and B, acting in B */
    MX_CALLERS
};

extern const char *const mx_caller_names[MX_CALLERS];

/* What a cell allows. */
enum mx_want {
    MX_YES,  /* must answer 2xx */
    MX_NO,   /* must not answer 2xx */
    MX_ANY,  /* any answer but a 5xx */
    MX_HIDE, /* 2xx or 4xx, but a 2xx must not contain the target's id */
    MX_SEE,  /* must answer 2xx showing the target's id (what hide hides) */
};

/* One row of the expectations table, joined with its request (if any). */
struct mx_row {
    int line; /* in expected.md */
    char method[8];
    char path[192];  /* as in ops.c */
    char target[48]; /* what fills the path parameter, and {T} */
    enum mx_want want[MX_CALLERS];
    char query[512]; /* "" or "?a=b" with placeholders */
    char body[1024]; /* "" when none: {} is sent for POST, PUT, PATCH */
    int used;        /* a request row joined it */
};

/* One operation of an ops.c table. */
struct mx_op {
    char svc[16];
    char method[8];
    char path[192];
    char name[96];
    int built; /* handler not NULL */
};

/* The repository's root: two levels above $TEST_STACK (scripts/stack.sh),
 * else the working folder. Borrowed. */
const char *mx_root(void);

/* Runs tests/matrix/ops.sh; every operation into *out (caller frees), their
 * number into *n. Returns 0, or -1 with a message in err (256 bytes). */
int mx_load_ops(struct mx_op **out, size_t *n, char *err);

/* Reads tests/matrix/expected.md: the rows of "## Expectations" joined with
 * those of "## Requests". Returns 0, or -1 with a message in err (256
 * bytes) at the first malformed line. Caller frees *out. */
int mx_load_table(struct mx_row **out, size_t *n, char *err);

/* --- the world (test_matrix_world.c) --- */

/* Builds the fixtures (once per process); asserts each step. */
void mx_world_build(void);

/* Sends the row's request as caller; fresh targets and {U}-style
 * placeholders are made first. The status into *status, the body into
 * body (cap bytes, truncated); the target's id (for MX_HIDE) into target
 * (64 bytes). Returns 0, or -1 with why in body when the request could not
 * be prepared. */
int mx_send(const struct mx_row *row, enum mx_caller caller, long *status, char *body, size_t cap,
            char *target);

/* Sends method on path (placeholders {...} filled with a fresh uuid) with
 * the platform admin's token on /v1 and /v2, the bootstrap API key
 * elsewhere; returns the status. */
long mx_send_stub(const char *method, const char *path);

#endif
