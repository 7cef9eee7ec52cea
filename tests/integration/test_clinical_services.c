/* test_clinical_services.c: an OU's services (GET/PUT admin/services/{ou},
 * user_updates remapping and warnings) and service pagers (GET/POST
 * pager/service) through the edge, with refusals across OUs and tenants. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_fixtures.h"

TestSuite(clinical_services, .timeout = 120);

static long services_call(const struct cf_client *c, const char *method, const char *ou,
                          const char *body, json_t **doc)
{
    char path[512];

    snprintf(path, sizeof path, "/api/2018-04-01/admin/services/%s", ou);
    return cf_call(c, method, path, body ? "application/json" : NULL, body, doc);
}

/* The JSON array a as "a,b,c" into out. */
static void joined(const json_t *a, char *out, size_t cap)
{
    size_t i;
    json_t *e;

    out[0] = '\0';
    json_array_foreach(a, i, e) {
        const char *s = json_is_string(e) ? json_string_value(e)
                                          : json_string_value(json_object_get(e, "pager_number"));
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "", s ? s : "?");
        if (json_is_object(e))
            snprintf(out + strlen(out), cap - strlen(out), "=%s",
                     json_string_value(json_object_get(e, "service")));
    }
}

static void user_services(const struct cf_client *c, const char *uid, char *out, size_t cap)
{
    char path[512];
    json_t *doc = NULL;

    snprintf(path, sizeof path, "/api/2015-02-01/admin/users/%s", uid);
    cr_assert(eq(long, cf_call(c, "GET", path, NULL, NULL, &doc), 200));
    joined(json_object_get(json_object_get(doc, "user"), "services"), out, cap);
    json_decref(doc);
}

static void pagers(const struct cf_client *c, const char *iid, char *out, size_t cap)
{
    char path[512];
    json_t *doc = NULL;

    snprintf(path, sizeof path, "/api/2019-03-01/pager/service?iid=%s", iid);
    cr_assert(eq(long, cf_call(c, "GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "ok"));
    joined(json_object_get(doc, "pagers"), out, cap);
    json_decref(doc);
}

static void pager_set(const struct cf_client *c, const char *iid, const char *pager,
                      const char *service)
{
    char body[300];
    json_t *doc = NULL;

    snprintf(body, sizeof body, "pager_number=%s&iid=%s&service=%s", pager, iid, service);
    cr_assert(eq(long, cf_call(c, "POST", "/api/2019-03-01/pager/service", NULL, body, &doc),
                 200));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "ok"));
    json_decref(doc);
}

Test(clinical_services, put_replaces_and_get_reads)
{
    struct cf_world w;
    char got[256];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cr_assert(eq(long, services_call(&w.admin, "GET", w.root, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "services")), 0));
    json_decref(doc);
    cr_assert(eq(long, services_call(&w.admin, "PUT", w.root,
                                     "{\"services\": [\"service one\", \"service two\", "
                                     "\"service one\"]}",
                                     &doc),
                 200));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "ok"));
    joined(json_object_get(doc, "services"), got, sizeof got);
    cr_assert(eq(str, got, "service one,service two"));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "warnings")), 0));
    json_decref(doc);
    cr_assert(eq(long, services_call(&w.admin, "GET", w.root, NULL, &doc), 200));
    joined(json_object_get(doc, "services"), got, sizeof got);
    cr_assert(eq(str, got, "service one,service two"));
    json_decref(doc);
    cr_assert(eq(long, cf_events("evt.messaging.services.updated", w.root_id), 1));
    /* the child OU has its own list */
    cr_assert(eq(long, services_call(&w.admin, "GET", w.child, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "services")), 0));
    json_decref(doc);
}

Test(clinical_services, user_updates_remap_users_and_pagers_with_warnings)
{
    struct cf_world w;
    char email[128], got[512];
    json_t *doc = NULL, *warn;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cr_assert(eq(long, services_call(&w.admin, "PUT", w.root,
                                     "{\"services\": [\"Old\", \"Keep\"]}", &doc), 200));
    json_decref(doc);
    cf_user(&w.admin, NULL, "&services=Old&services=Keep", email);
    user_services(&w.admin, email, got, sizeof got);
    cr_assert(eq(str, got, "Old,Keep"));
    pager_set(&w.admin, w.root, "5550001", "Old");
    pager_set(&w.admin, w.root, "5550002", "Keep");
    /* Old becomes New1 and New2 for users, New1 for its pager */
    cr_assert(eq(long, services_call(&w.admin, "PUT", w.root,
                                     "{\"services\": [\"New1\", \"New2\", \"Keep\"], "
                                     "\"user_updates\": {\"Old\": [\"New1\", \"New2\"]}}",
                                     &doc),
                 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "warnings")), 0));
    json_decref(doc);
    user_services(&w.admin, email, got, sizeof got);
    cr_assert(eq(str, got, "New1,New2,Keep"));
    pagers(&w.admin, w.root, got, sizeof got);
    cr_assert(eq(str, got, "5550002=Keep,5550001=New1"));
    /* dropping Keep clears it from users, unassigns its pager with a warning */
    cr_assert(eq(long, services_call(&w.admin, "PUT", w.root,
                                     "{\"services\": [\"New1\", \"New2\"]}", &doc), 200));
    warn = json_object_get(doc, "warnings");
    cr_assert(eq(sz, json_array_size(warn), 1));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(warn, 0)),
                 "Service [Keep] is currently in use with pager [5550002]; the pager is "
                 "unassigned"));
    json_decref(doc);
    user_services(&w.admin, email, got, sizeof got);
    cr_assert(eq(str, got, "New1,New2"));
    pagers(&w.admin, w.root, got, sizeof got);
    cr_assert(eq(str, got, "5550001=New1"));
}

Test(clinical_services, refusals_and_reasons)
{
    struct cf_world w;
    char ou[300];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    /* another tenant, a non-admin writer, an OU that does not exist */
    cr_assert(eq(long, services_call(&w.other_admin, "GET", w.root, NULL, &doc), 403));
    cf_assert_error(doc, "not authorized");
    json_decref(doc);
    cr_assert(eq(long, services_call(&w.other_admin, "PUT", w.root, "{\"services\": []}", &doc),
                 403));
    json_decref(doc);
    cr_assert(eq(long, services_call(&w.child_admin, "GET", w.root, NULL, &doc), 403));
    json_decref(doc);
    cr_assert(eq(long, services_call(&w.reader, "GET", w.root, NULL, &doc), 200));
    json_decref(doc);
    cr_assert(eq(long, services_call(&w.reader, "PUT", w.root, "{\"services\": []}", &doc), 403));
    cf_assert_error(doc, "not authorized");
    json_decref(doc);
    snprintf(ou, sizeof ou, "%s:nope", w.root);
    cr_assert(eq(long, services_call(&w.admin, "GET", ou, NULL, &doc), 404));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "error"));
    json_decref(doc);
    /* bodies */
    cr_assert(eq(long, services_call(&w.admin, "PUT", w.root, "{}", &doc), 400));
    cf_assert_error(doc, "Invalid Request");
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "reason"), "services"),
                 "Missing value"));
    json_decref(doc);
    cr_assert(eq(long, services_call(&w.admin, "PUT", w.root,
                                     "{\"services\": [\"A\"], \"user_updates\": {\"B\": [\"C\"]}}",
                                     &doc),
                 400));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "reason"), "user_updates"),
                 "every new service must be in services"));
    json_decref(doc);
    cr_assert(eq(long, services_call(&w.admin, "PUT", w.root, "{\"services\": [\"\", 3]}", &doc),
                 400));
    json_decref(doc);
}

Test(clinical_services, pagers_assign_unset_and_refuse)
{
    struct cf_world w;
    char got[256], body[300];
    json_t *doc = NULL, *reason;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cr_assert(eq(long, services_call(&w.admin, "PUT", w.root, "{\"services\": [\"ER\"]}", &doc),
                 200));
    json_decref(doc);
    pagers(&w.admin, w.root, got, sizeof got);
    cr_assert(eq(str, got, ""));
    pager_set(&w.admin, w.root, "5551000", "ER");
    pagers(&w.admin, w.root, got, sizeof got);
    cr_assert(eq(str, got, "5551000=ER"));
    pagers(&w.reader, "", got, sizeof got); /* iid defaults to the caller's OU */
    cr_assert(eq(str, got, "5551000=ER"));
    /* JSON body; an empty service unsets */
    snprintf(body, sizeof body, "{\"pager_number\": \"5551000\", \"iid\": \"%s\", \"service\": \"\"}",
             w.root);
    cr_assert(eq(long, cf_call(&w.admin, "POST", "/api/2019-03-01/pager/service",
                               "application/json", body, &doc),
                 200));
    json_decref(doc);
    pagers(&w.admin, w.root, got, sizeof got);
    cr_assert(eq(str, got, ""));
    /* reasons */
    snprintf(body, sizeof body, "iid=%s&service=Nope&pager_number=12", w.root);
    cr_assert(eq(long, cf_call(&w.admin, "POST", "/api/2019-03-01/pager/service", NULL, body,
                               &doc),
                 400));
    reason = json_object_get(doc, "reason");
    cr_assert(strlen(cf_str(reason, "pager_number")) > 0);
    json_decref(doc);
    snprintf(body, sizeof body, "iid=%s&service=Nope&pager_number=5551001", w.root);
    cr_assert(eq(long, cf_call(&w.admin, "POST", "/api/2019-03-01/pager/service", NULL, body,
                               &doc),
                 400));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "reason"), "service"),
                 "must be a service of the OU"));
    json_decref(doc);
    /* refusals */
    snprintf(body, sizeof body, "iid=%s&service=ER&pager_number=5551001", w.root);
    cr_assert(eq(long, cf_call(&w.other_admin, "POST", "/api/2019-03-01/pager/service", NULL, body,
                               &doc),
                 403));
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.reader, "POST", "/api/2019-03-01/pager/service", NULL, body,
                               &doc),
                 403));
    json_decref(doc);
    snprintf(body, sizeof body, "/api/2019-03-01/pager/service?iid=%s", w.root);
    cr_assert(eq(long, cf_call(&w.other_admin, "GET", body, NULL, NULL, &doc), 403));
    json_decref(doc);
}
