/* test_clinical_ou.c: the clinical OU hierarchy is the organizations'
 * names ("a:b" is a child of "a"): an organization admin cannot rename its
 * organization into or out of it (no tenant becomes another's parent),
 * the platform admin can, and the reach of API clients follows. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "clinical_fixtures.h"

TestSuite(clinical_ou, .timeout = 120);

/* PATCH /v1/organizations/{id}/ renaming it to name, as client c (or with
 * token when c is NULL). Returns the status. */
static long rename_org(const struct cf_client *c, const char *token, const char *id,
                       const char *name)
{
    char path[128], body[512];
    json_t *doc = NULL;
    long s;

    snprintf(path, sizeof path, "/v1/organizations/%s/", id);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"organizations\", \"id\": \"%s\", \"attributes\": "
             "{\"name\": \"%s\"}}}",
             id, name);
    if (c)
        s = cf_call(c, "PATCH", path, "application/json", body, &doc);
    else
        s = af_call("PATCH", path, token, body, &doc);
    json_decref(doc);
    return s;
}

Test(clinical_ou, hierarchy_renames_are_the_platform_admins)
{
    struct cf_world w;
    char name[300], orphan[128], kid[160], kid_id[40], path[400];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    /* making itself a child of another tenant's OU */
    snprintf(name, sizeof name, "%s:evil", w.root);
    cr_assert(eq(long, rename_org(&w.other_admin, NULL, w.other_id, name), 403));
    /* taking the name that parents someone's OUs */
    it_unique(orphan, sizeof orphan, "cf-orphan-");
    snprintf(kid, sizeof kid, "%s:kid", orphan);
    cf_org(w.platform, kid, kid_id);
    cr_assert(eq(long, rename_org(&w.other_admin, NULL, w.other_id, orphan), 403));
    /* renaming away from its children */
    snprintf(name, sizeof name, "%s-x", w.root);
    cr_assert(eq(long, rename_org(&w.admin, NULL, w.root_id, name), 403));
    /* a rename that leaves the hierarchy alone is fine */
    snprintf(name, sizeof name, "%s-renamed", w.other);
    cr_assert(eq(long, rename_org(&w.other_admin, NULL, w.other_id, name), 200));
    /* the platform admin may; the reach follows the names */
    snprintf(path, sizeof path, "/api/2018-04-01/admin/services/%s", kid);
    cr_assert(eq(long, cf_call(&w.other_admin, "GET", path, NULL, NULL, &doc), 403));
    json_decref(doc);
    cr_assert(eq(long, rename_org(NULL, w.platform, w.other_id, orphan), 200));
    cr_assert(eq(long, cf_call(&w.other_admin, "GET", path, NULL, NULL, &doc), 200));
    json_decref(doc);
}
