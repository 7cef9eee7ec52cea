/* test_cm_router.c: matching methods and paths against an operation table. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "cm_router.h"

static cm_err handler(struct cm_req *rq, struct cm_resp *out)
{
    (void)rq;
    (void)out;
    return CM_OK;
}

static const struct cm_op ops[] = {
    {"GET", "/v1/users/", "users.list", handler},
    {"GET", "/v1/users/{id}/", "users.read", handler},
    {"PATCH", "/v1/users/{id}/", "users.update", NULL},
    {"POST", "/v1/users/{id}/disable/", "users.disable", handler},
    {"GET", "/api/2015-02-01/util/test/{id}", "util.test", handler},
    {"GET", "/x/{a}/{b}/{c}/{d}/{e}", "too.many", handler},
    {NULL, NULL, NULL, NULL},
};

static void assert_param(const struct cm_route_match *m, int i, const char *name, const char *value)
{
    cr_assert(eq(sz, m->name_lens[i], strlen(name)));
    cr_assert(eq(int, memcmp(m->names[i], name, strlen(name)), 0));
    cr_assert(eq(sz, m->value_lens[i], strlen(value)));
    cr_assert(eq(int, memcmp(m->values[i], value, strlen(value)), 0));
}

Test(cm_router, matches_method_and_captures_segments)
{
    struct cm_route_match m;

    cr_assert(eq(int, cm_router_match(ops, "GET", "/v1/users/abc-1/", &m), CM_OK));
    cr_assert(eq(str, (char *)m.op->name, "users.read"));
    cr_assert(eq(int, m.nparams, 1));
    assert_param(&m, 0, "id", "abc-1");
    cr_assert(eq(int, cm_router_match(ops, "PATCH", "/v1/users/abc-1/", &m), CM_OK));
    cr_assert(eq(str, (char *)m.op->name, "users.update"));
    cr_assert(eq(int, cm_router_match(ops, "POST", "/v1/users/7/disable/", &m), CM_OK));
    assert_param(&m, 0, "id", "7");
}

Test(cm_router, trailing_slash_is_optional)
{
    struct cm_route_match m;

    cr_assert(eq(int, cm_router_match(ops, "GET", "/v1/users", &m), CM_OK));
    cr_assert(eq(str, (char *)m.op->name, "users.list"));
    cr_assert(eq(int, cm_router_match(ops, "GET", "/api/2015-02-01/util/test/1/", &m), CM_OK));
    assert_param(&m, 0, "id", "1");
}

Test(cm_router, tells_wrong_method_from_unknown_path)
{
    struct cm_route_match m;

    cr_assert(eq(int, cm_router_match(ops, "DELETE", "/v1/users/1/", &m), CM_EMETHOD));
    cr_assert(eq(int, cm_router_match(ops, "GET", "/v1/users/1/nope/", &m), CM_ENOTFOUND));
    cr_assert(eq(int, cm_router_match(ops, "GET", "/v1/users//", &m), CM_ENOTFOUND));
    cr_assert(eq(int, cm_router_match(ops, "GET", "/v1/userss/", &m), CM_ENOTFOUND));
    cr_assert(eq(int, cm_router_match(ops, "GET", "", &m), CM_ENOTFOUND));
}

Test(cm_router, refuses_more_captures_than_it_holds)
{
    struct cm_route_match m;
    cr_assert(eq(int, cm_router_match(ops, "GET", "/x/1/2/3/4/5", &m), CM_ENOTFOUND));
}
