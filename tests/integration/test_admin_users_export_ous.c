/* test_admin_users_export_ous.c: GET /api/2015-02-01/admin/users with OU
 * names (ou=<root> / ou=<root>:1234), children=true|false, the clinical
 * profile columns (title, specialty, services, pager_number) joined from
 * clinical_users, and the refusals of OUs the caller does not administer. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_fixtures.h"

TestSuite(admin_users_export_ous, .timeout = 120);

#define LIST "/api/2015-02-01/admin/users"

/* The export at path as c: its status, the body into out (cap bytes). */
static long export_of(const struct cf_client *c, const char *path, char *out, size_t cap)
{
    struct it_resp r;
    long status;

    cf_call_raw(c, "GET", path, NULL, NULL, &r);
    status = r.status;
    snprintf(out, cap, "%s", r.body ? r.body : "");
    it_resp_release(&r);
    return status;
}

/* The CSV line of body holding needle (a copy in out), "" when none. */
static const char *line_with(const char *body, const char *needle, char *out, size_t cap)
{
    const char *at = strstr(body, needle), *start, *end;

    out[0] = '\0';
    if (!at)
        return out;
    for (start = at; start > body && start[-1] != '\n'; start--)
        ;
    end = strchr(at, '\n');
    snprintf(out, cap, "%.*s", (int)(end ? end - start : (long)strlen(start)), start);
    return out;
}

Test(admin_users_export_ous, ou_names_children_and_profile_columns)
{
    struct cf_world w;
    char root_user[128], child_user[128], path[512], line[1024], want[512];
    static char body[65536];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    snprintf(path, sizeof path, "/api/2018-04-01/admin/services/%s", w.root);
    cr_assert(eq(long,
                 cf_call(&w.admin, "PUT", path, "application/json",
                         "{\"services\": [\"ER\", \"ICU\"]}", &doc),
                 200));
    json_decref(doc);
    cf_user(&w.admin, NULL, "&services=ER&services=ICU&pager_number=5557001", root_user);
    cf_user(&w.admin, w.child, "", child_user);

    /* the root alone, by name: profile columns from clinical_users */
    snprintf(path, sizeof path, LIST "?ou=%s&children=false", w.root);
    cr_assert(eq(long, export_of(&w.admin, path, body, sizeof body), 200), "%s", body);
    line_with(body, root_user, line, sizeof line);
    snprintf(want, sizeof want, ",%s,provider,MD,Cardiology,ER|ICU,5557001", w.root);
    cr_assert(not(eq(ptr, strstr(line, want), NULL)), "row %s lacks %s", line, want);
    cr_assert(eq(ptr, strstr(body, child_user), NULL), "children=false: %s", body);

    /* children (the default): the child OU's users too, under its name */
    snprintf(path, sizeof path, LIST "?ou=%s&format=json", w.root);
    cr_assert(eq(long, export_of(&w.admin, path, body, sizeof body), 200), "%s", body);
    line_with(body, child_user, line, sizeof line);
    doc = json_loads(line, 0, NULL);
    cr_assert(not(eq(ptr, doc, NULL)), "no JSON line for %s in %s", child_user, body);
    cr_assert(eq(str, (char *)cf_str(doc, "primary_ou"), w.child));
    cr_assert(eq(str, (char *)cf_str(doc, "title"), "MD"));
    json_decref(doc);
    line_with(body, root_user, line, sizeof line);
    doc = json_loads(line, 0, NULL);
    cr_assert(not(eq(ptr, doc, NULL)), "no JSON line for %s", root_user);
    cr_assert(eq(str, (char *)cf_str(doc, "services"), "ER|ICU"));
    cr_assert(eq(str, (char *)cf_str(doc, "pager_number"), "5557001"));
    json_decref(doc);

    /* the child OU's admin: its OU by name, not the root */
    snprintf(path, sizeof path, LIST "?ou=%s", w.child);
    cr_assert(eq(long, export_of(&w.child_admin, path, body, sizeof body), 200), "%s", body);
    cr_assert(not(eq(ptr, strstr(body, child_user), NULL)));
    cr_assert(eq(ptr, strstr(body, root_user), NULL));
    snprintf(path, sizeof path, LIST "?ou=%s", w.root);
    cr_assert(eq(long, export_of(&w.child_admin, path, body, sizeof body), 403), "%s", body);
    /* another tenant's OU, a reader, an unknown OU: not authorized */
    cr_assert(eq(long, export_of(&w.other_admin, path, body, sizeof body), 403), "%s", body);
    cr_assert(eq(long, export_of(&w.reader, path, body, sizeof body), 403), "%s", body);
    doc = json_loads(body, 0, NULL);
    cf_assert_error(doc, "not authorized");
    json_decref(doc);
    cr_assert(eq(long, export_of(&w.admin, LIST "?ou=no-such-ou-x", body, sizeof body), 403));
}
