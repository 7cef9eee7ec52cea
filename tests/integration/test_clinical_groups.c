/* test_clinical_groups.c: recipient groups through the edge: create (root
 * IID only), list, update, delete, with their reasons and refusals across
 * OUs and tenants. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_fixtures.h"

TestSuite(clinical_groups, .timeout = 120);

#define GROUPS "/api/2019-03-01/recipient_groups"

/* recipient_ids of group g as "a,b". */
static void ids_of(const json_t *g, char *out, size_t cap)
{
    size_t i;
    json_t *e;

    out[0] = '\0';
    json_array_foreach(json_object_get(g, "recipient_ids"), i, e)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "",
                 json_string_value(e));
}

Test(clinical_groups, create_list_update_delete)
{
    struct cf_world w;
    char a[128], b[128], c[128], body[1024], want[512], got[512], path[256], id[64];
    json_t *doc = NULL, *g;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", a);
    cf_user(&w.admin, NULL, "", b);
    cf_user(&w.admin, w.child, "", c);
    snprintf(body, sizeof body,
             "{\"iid\": \"%s\", \"name\": \"Night shift\", \"recipient_ids\": [\"%s\", \"%s\"]}",
             w.root, a, c);
    cr_assert(eq(long, cf_call(&w.admin, "POST", GROUPS, "application/json", body, &doc), 200));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "ok"));
    g = json_object_get(doc, "recipient_group");
    snprintf(id, sizeof id, "%s", cf_str(g, "id"));
    cr_assert(eq(sz, strlen(id), 36));
    cr_assert(eq(str, (char *)cf_str(g, "iid"), w.root));
    cr_assert(eq(str, (char *)cf_str(g, "name"), "Night shift"));
    ids_of(g, got, sizeof got);
    snprintf(want, sizeof want, "%s,%s", a, c);
    cr_assert(eq(str, got, want));
    json_decref(doc);
    cr_assert(eq(long, cf_events("evt.messaging.recipient_group.created", id), 1));
    /* list (form body of the seed: iid as a query parameter) */
    snprintf(path, sizeof path, GROUPS "?iid=%s", w.root);
    cr_assert(eq(long, cf_call(&w.reader, "GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipient_groups")), 1));
    cr_assert(eq(str, (char *)cf_str(json_array_get(json_object_get(doc, "recipient_groups"), 0),
                                     "id"),
                 id));
    json_decref(doc);
    /* update, as a form with repeated recipient_ids */
    snprintf(path, sizeof path, GROUPS "/%s", id);
    snprintf(body, sizeof body, "name=Day+shift&recipient_ids=%s&recipient_ids=%s", b, a);
    cr_assert(eq(long, cf_call(&w.admin, "PUT", path, NULL, body, &doc), 200));
    g = json_object_get(doc, "recipient_group");
    cr_assert(eq(str, (char *)cf_str(g, "name"), "Day shift"));
    ids_of(g, got, sizeof got);
    snprintf(want, sizeof want, "%s,%s", b, a);
    cr_assert(eq(str, got, want));
    json_decref(doc);
    /* delete */
    cr_assert(eq(long, cf_call(&w.admin, "DELETE", path, NULL, NULL, &doc), 200));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "ok"));
    json_decref(doc);
    cr_assert(eq(long, cf_events("evt.messaging.recipient_group.deleted", id), 1));
    cr_assert(eq(long, cf_call(&w.admin, "DELETE", path, NULL, NULL, &doc), 404));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "error"));
    json_decref(doc);
    snprintf(path, sizeof path, GROUPS "?iid=%s", w.root);
    cr_assert(eq(long, cf_call(&w.admin, "GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipient_groups")), 0));
    json_decref(doc);
}

Test(clinical_groups, reasons_and_refusals)
{
    struct cf_world w;
    char a[128], x[128], body[1024], path[256], id[64];
    json_t *doc = NULL, *reason;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", a);
    cf_user(&w.other_admin, NULL, "", x);
    /* only a root IID */
    snprintf(body, sizeof body, "iid=%s&name=g&recipient_ids=%s", w.child, a);
    cr_assert(eq(long, cf_call(&w.admin, "POST", GROUPS, NULL, body, &doc), 400));
    cf_assert_error(doc, "Invalid Request");
    reason = json_object_get(doc, "reason");
    cr_assert(eq(str, (char *)cf_str(reason, "iid"), "only a root IID is allowed"));
    json_decref(doc);
    /* missing values */
    cr_assert(eq(long, cf_call(&w.admin, "POST", GROUPS, NULL, "name=", &doc), 400));
    reason = json_object_get(doc, "reason");
    cr_assert(eq(str, (char *)cf_str(reason, "iid"), "Missing value"));
    cr_assert(eq(str, (char *)cf_str(reason, "recipient_ids"), "Missing value"));
    cr_assert(strlen(cf_str(reason, "name")) > 0);
    json_decref(doc);
    /* a recipient who is not a user of the IID (another tenant's, or nobody) */
    snprintf(body, sizeof body, "iid=%s&name=g&recipient_ids=%s&recipient_ids=%s", w.root, a, x);
    cr_assert(eq(long, cf_call(&w.admin, "POST", GROUPS, NULL, body, &doc), 400));
    snprintf(path, sizeof path, "unknown user [%s]", x);
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "reason"), "recipient_ids"), path));
    json_decref(doc);
    /* another tenant may not create, change or delete there */
    snprintf(body, sizeof body, "iid=%s&name=g&recipient_ids=%s", w.root, a);
    cr_assert(eq(long, cf_call(&w.other_admin, "POST", GROUPS, NULL, body, &doc), 403));
    cf_assert_error(doc, "not authorized");
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.reader, "POST", GROUPS, NULL, body, &doc), 403));
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.admin, "POST", GROUPS, NULL, body, &doc), 200));
    snprintf(id, sizeof id, "%s", cf_str(json_object_get(doc, "recipient_group"), "id"));
    json_decref(doc);
    /* a second group of the same name */
    cr_assert(eq(long, cf_call(&w.admin, "POST", GROUPS, NULL, body, &doc), 400));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "reason"), "name"),
                 "a recipient group of this IID has this name"));
    json_decref(doc);
    snprintf(path, sizeof path, GROUPS "/%s", id);
    cr_assert(eq(long, cf_call(&w.other_admin, "PUT", path, NULL, "name=mine", &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.other_admin, "DELETE", path, NULL, NULL, &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.reader, "DELETE", path, NULL, NULL, &doc), 403));
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.child_admin, "DELETE", path, NULL, NULL, &doc), 404));
    json_decref(doc);
    snprintf(path, sizeof path, GROUPS "?iid=%s", w.root);
    cr_assert(eq(long, cf_call(&w.other_admin, "GET", path, NULL, NULL, &doc), 403));
    json_decref(doc);
    /* the other tenant's own list does not show it */
    cr_assert(eq(long, cf_call(&w.other_admin, "GET", GROUPS, NULL, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipient_groups")), 0));
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.admin, "PUT", GROUPS "/not-a-uuid", NULL, "name=x", &doc), 404));
    json_decref(doc);
}
