/* test_edge_routes_ops.c: the edge's route table (services/edge/routes.c,
 * sorted by hand) agrees with the services' operation tables
 * (services/<svc>/ops.c): every operation is routed to its own service, on
 * its subject and in its surface's error style, and every route family leads
 * to at least one operation of its service.
 * The ops tables are read through tests/matrix/ops.sh, the one parser the
 * route x caller matrix uses too (it fails on a row it cannot read): linking
 * the five ops.c files would pull in every service's handlers, whose helper
 * names clash across services. */
// links: services/edge/routes.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../services/edge/routes.h"

#define MAX_OPS 512

struct op {
    char service[32];
    char method[8];
    char path[160];
};

static struct op ops[MAX_OPS];
static size_t n_ops;

/* The repository root: the first directory above this binary that holds
 * tests/matrix/ops.sh (the binary is <root>/<build>/tests/unit/<name>). */
static int repo_root(char *root, size_t size)
{
    char script[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", root, size - 1);
    char *slash;

    if (n <= 0)
        return -1;
    root[n] = '\0';
    while ((slash = strrchr(root, '/')) != NULL) {
        *slash = '\0';
        snprintf(script, sizeof script, "%s/tests/matrix/ops.sh", root);
        if (access(script, R_OK) == 0)
            return 0;
    }
    return -1;
}

/* Fills ops[] from ops.sh: service, method, path, name, built, catalogue. */
static void load_ops(void)
{
    char root[PATH_MAX], cmd[2 * PATH_MAX + 64], line[512];
    FILE *p;
    int rc;

    cr_assert(eq(int, repo_root(root, sizeof root), 0), "repository root not found above the test binary");
    snprintf(cmd, sizeof cmd, "bash '%s/tests/matrix/ops.sh' '%s'", root, root);
    p = popen(cmd, "r");
    cr_assert(eq(int, p != NULL, 1), "cannot run %s", cmd);
    while (fgets(line, sizeof line, p)) {
        char *service = strtok(line, "\t\n"), *method = strtok(NULL, "\t\n"), *path = strtok(NULL, "\t\n");

        cr_assert(eq(int, service && method && path, 1), "ops.sh printed a short line");
        cr_assert(n_ops < MAX_OPS, "more than %d operations: raise MAX_OPS", MAX_OPS);
        snprintf(ops[n_ops].service, sizeof ops[n_ops].service, "%s", service);
        snprintf(ops[n_ops].method, sizeof ops[n_ops].method, "%s", method);
        snprintf(ops[n_ops].path, sizeof ops[n_ops].path, "%s", path);
        n_ops++;
    }
    rc = pclose(p);
    cr_assert(eq(int, rc, 0), "ops.sh failed (%d): an ops.c row it cannot read?", rc);
    /* every service has a table; a parser that silently reads none must fail */
    cr_assert(eq(int, n_ops > 100, 1), "ops.sh listed only %zu operations", n_ops);
}

/* The surface a path's document answers in. */
static Envelope__Surface surface_of(const char *path)
{
    if (!strncmp(path, "/api/", 5))
        return ENVELOPE__SURFACE__SURFACE_CUREATR;
    if (!strncmp(path, "/configure/", 11))
        return ENVELOPE__SURFACE__SURFACE_OKAYA;
    return ENVELOPE__SURFACE__SURFACE_JSONAPI;
}

/* 1 when path lies in family: equal to it or below it. */
static int in_family(const char *path, const char *family)
{
    size_t len = strlen(family);

    return !strncmp(path, family, len) && (path[len] == '\0' || path[len] == '/');
}

Test(edge_routes_ops, every_operation_is_routed_to_its_service, .init = load_ops)
{
    for (size_t i = 0; i < n_ops; i++) {
        const struct op *o = &ops[i];
        const struct edge_route *r = edge_route_lookup(o->path);
        char subject[64];

        cr_expect(eq(int, r != NULL, 1), "%s %s (%s) has no route at the edge", o->method, o->path, o->service);
        if (!r)
            continue;
        snprintf(subject, sizeof subject, "%s.http", o->service);
        cr_expect(eq(int, strcmp(r->service, o->service), 0), "%s %s is routed to %s, its table is %s's",
                  o->method, o->path, r->service, o->service);
        cr_expect(eq(int, strcmp(r->subject, subject), 0), "%s %s goes to subject %s", o->method, o->path,
                  r->subject);
        cr_expect(eq(int, (int)r->surface, (int)surface_of(o->path)), "%s %s answers in surface %d",
                  o->method, o->path, (int)r->surface);
        cr_expect(eq(int, in_family(o->path, r->family), 1), "%s %s is routed by family %s", o->method, o->path,
                  r->family);
    }
}

Test(edge_routes_ops, every_route_family_leads_to_an_operation_of_its_service, .init = load_ops)
{
    const struct edge_route *r;
    size_t n_routes = 0;

    for (size_t k = 0; (r = edge_route_at(k)) != NULL; k++) {
        size_t hits = 0;

        n_routes++;
        for (size_t i = 0; i < n_ops; i++)
            if (in_family(ops[i].path, r->family) && !strcmp(ops[i].service, r->service))
                hits++;
        cr_expect(eq(int, hits > 0, 1), "route family %s (%s) leads to no operation of %s's ops.c", r->family,
                  r->service, r->service);
    }
    cr_assert(eq(int, n_routes > 2, 1), "the route table walked empty");
}

/* Lookup is a binary search over the hand-sorted table: each family, looked
 * up by itself and with a trailing path, must find its own row. */
Test(edge_routes_ops, every_route_family_is_found_by_lookup)
{
    const struct edge_route *r;
    char below[192];

    for (size_t k = 0; (r = edge_route_at(k)) != NULL; k++) {
        snprintf(below, sizeof below, "%s/x/", r->family);
        cr_expect(eq(ptr, (void *)edge_route_lookup(below), (void *)r), "%s is not found by lookup (table out of order?)", below);
        if (!strncmp(r->family, "/v1/", 4) || !strncmp(r->family, "/v2/", 4)) /* a family by itself */
            cr_expect(eq(ptr, (void *)edge_route_lookup(r->family), (void *)r), "%s is not found by lookup (table out of order?)",
                      r->family);
    }
}
