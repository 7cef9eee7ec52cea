/* test_clinical_people_update.c: PUT admin/users/{uid} with the seed's
 * JSON example and every special parameter (pager_number=remove,
 * account_status, resend_activation_email, services, update_uid=Y,
 * bounced_emails), its refusals, and GET user/search?service=. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_fixtures.h"

TestSuite(clinical_people_update, .timeout = 120);

#define USERS "/api/2015-02-01/admin/users"

static long put_user(const struct cf_client *c, const char *uid, const char *ctype,
                     const char *body, json_t **doc)
{
    char path[512];

    snprintf(path, sizeof path, USERS "/%s", uid);
    return cf_call(c, "PUT", path, ctype, body, doc);
}

/* The user record of uid (caller json_decref). */
static json_t *user_of(const struct cf_client *c, const char *uid)
{
    char path[512];
    json_t *doc = NULL, *u;

    snprintf(path, sizeof path, USERS "/%s", uid);
    cr_assert(eq(long, cf_call(c, "GET", path, NULL, NULL, &doc), 200), "GET %s", uid);
    u = json_incref(json_object_get(doc, "user"));
    json_decref(doc);
    return u;
}

static void services_put(const struct cf_world *w, const char *body)
{
    char path[300];
    json_t *doc = NULL;

    snprintf(path, sizeof path, "/api/2018-04-01/admin/services/%s", w->root);
    cr_assert(eq(long, cf_call(&w->admin, "PUT", path, "application/json", body, &doc), 200));
    json_decref(doc);
}

Test(clinical_people_update, seed_json_example_updates)
{
    struct cf_world w;
    char email[128], local[64], newmail[128], body[512];
    json_t *doc = NULL, *u;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    services_put(&w, "{\"services\": [\"First floor\", \"On Call\"]}");
    cf_user(&w.admin, NULL, "&pager_number=5552000", email);
    u = user_of(&w.admin, email);
    it_unique(local, sizeof local, "jdoe-");
    snprintf(newmail, sizeof newmail, "%s@amsconnect.co", local);
    snprintf(body, sizeof body,
             "{ \"email\": \"%s\", \"specialty\": \"Specialty 1\", \"title\": \"Title 1\", "
             "\"services\": [\"First floor\", \"On Call\"], \"first_name\": \"Jane\" }",
             newmail);
    cr_assert(eq(long, put_user(&w.admin, email, "application/json", body, &doc), 200));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "ok"));
    cr_assert(eq(sz, json_object_size(doc), 1)); /* exactly {"status": "ok"} */
    json_decref(doc);
    cr_assert(eq(long, cf_events("evt.messaging.user.updated", cf_str(u, "id")), 1));
    json_decref(u);
    u = user_of(&w.admin, email); /* the user_id stays */
    cr_assert(eq(str, (char *)cf_str(u, "email"), newmail));
    cr_assert(eq(str, (char *)cf_str(u, "first_name"), "Jane"));
    cr_assert(eq(str, (char *)cf_str(u, "specialty"), "Specialty 1"));
    cr_assert(eq(str, (char *)cf_str(u, "title"), "Title 1"));
    cr_assert(eq(sz, json_array_size(json_object_get(u, "services")), 2));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(json_object_get(u, "services"), 1)),
                 "On Call"));
    cr_assert(eq(str, (char *)cf_str(u, "pager_number"), "5552000"));
    json_decref(u);
    /* pager_number=remove */
    cr_assert(eq(long, put_user(&w.admin, email, NULL, "pager_number=remove", &doc), 200));
    json_decref(doc);
    u = user_of(&w.admin, email);
    cr_assert(eq(str, (char *)cf_str(u, "pager_number"), ""));
    json_decref(u);
}

Test(clinical_people_update, account_status_deactivates_and_activates)
{
    struct cf_world w;
    char email[128];
    json_t *doc = NULL, *u;
    PGconn *pg;
    const char *params[1];
    char *v;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", email);
    cr_assert(eq(long, put_user(&w.admin, email, NULL, "account_status=inactive", &doc), 200));
    json_decref(doc);
    u = user_of(&w.admin, email);
    cr_assert(eq(str, (char *)cf_str(u, "account_status"), "inactive"));
    json_decref(u);
    pg = it_pg();
    params[0] = email;
    v = it_pg_value(pg, "SELECT enabled::text FROM identity.users WHERE username = $1", 1, params);
    cr_assert(eq(str, v, "false"));
    free(v);
    cr_assert(eq(long, put_user(&w.admin, email, NULL, "account_status=active", &doc), 200));
    json_decref(doc);
    v = it_pg_value(pg, "SELECT enabled::text FROM identity.users WHERE username = $1", 1, params);
    cr_assert(eq(str, v, "true"));
    free(v);
    PQfinish(pg);
    u = user_of(&w.admin, email);
    cr_assert(eq(str, (char *)cf_str(u, "account_status"), ""));
    json_decref(u);
    cr_assert(eq(long, put_user(&w.admin, email, NULL, "account_status=gone", &doc), 400));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "reason"), "account_status"),
                 "must be active or inactive"));
    json_decref(doc);
}

Test(clinical_people_update, update_uid_bounced_emails_and_resend)
{
    struct cf_world w;
    char email[128], newuid[64], body[300];
    json_t *doc = NULL, *u, *msg;
    PGconn *pg;
    const char *params[1];

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", email);
    /* update_uid=Y: the email finds the user, the path names the new user_id */
    it_unique(newuid, sizeof newuid, "ext-");
    snprintf(body, sizeof body, "email=%s&update_uid=Y", email);
    cr_assert(eq(long, put_user(&w.admin, newuid, NULL, body, &doc), 200));
    json_decref(doc);
    u = user_of(&w.admin, newuid);
    cr_assert(eq(str, (char *)cf_str(u, "user_id"), newuid));
    cr_assert(eq(str, (char *)cf_str(u, "email"), email));
    json_decref(u);
    cr_assert(eq(long, put_user(&w.admin, email, NULL, "title=x", &doc), 404));
    json_decref(doc);
    /* bounced_emails clears the flag */
    pg = it_pg();
    params[0] = email;
    free(it_pg_value(pg,
                     "UPDATE messaging.clinical_users SET bounced_emails = true WHERE user_id = "
                     "(SELECT id FROM identity.users WHERE email = $1) RETURNING 1",
                     1, params));
    PQfinish(pg);
    u = user_of(&w.admin, newuid);
    cr_assert(eq(str, (char *)cf_str(u, "bounced_emails"), "Y"));
    json_decref(u);
    cr_assert(eq(long, put_user(&w.admin, newuid, NULL, "bounced_emails=1", &doc), 200));
    json_decref(doc);
    u = user_of(&w.admin, newuid);
    cr_assert(eq(str, (char *)cf_str(u, "bounced_emails"), ""));
    json_decref(u);
    /* resend_activation_email */
    cr_assert(eq(long, put_user(&w.admin, newuid, NULL, "resend_activation_email=True", &doc),
                 200));
    json_decref(doc);
    msg = it_spool_wait(email, "clinical-activation", 10000);
    cr_assert(msg != NULL, "no activation email");
    json_decref(msg);
}

Test(clinical_people_update, refusals_and_reasons)
{
    struct cf_world w;
    char email[128];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    services_put(&w, "{\"services\": [\"ER\"]}");
    cf_user(&w.admin, NULL, "", email);
    cr_assert(eq(long, put_user(&w.admin, "nobody-zz@example.com", NULL, "title=x", &doc), 404));
    cf_assert_error(doc, "user [nobody-zz@example.com] not found");
    json_decref(doc);
    cr_assert(eq(long, put_user(&w.other_admin, email, NULL, "title=x", &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, put_user(&w.reader, email, NULL, "title=x", &doc), 403));
    cf_assert_error(doc, "not authorized");
    json_decref(doc);
    cr_assert(eq(long, put_user(&w.admin, email, NULL, "services=ER&services=Nope", &doc), 400));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "reason"), "services"),
                 "each must be a service of the user's OU"));
    json_decref(doc);
    cr_assert(eq(long, put_user(&w.admin, email, NULL, "email=not-an-address", &doc), 400));
    json_decref(doc);
    cr_assert(eq(long, put_user(NULL, email, NULL, "title=x", &doc), 401));
    json_decref(doc);
}

Test(clinical_people_update, search_by_service)
{
    struct cf_world w;
    char a[128], b[128], c[128], path[300];
    json_t *doc = NULL, *users;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    services_put(&w, "{\"services\": [\"First Call\", \"ER\"]}");
    cf_user(&w.admin, NULL, "&services=First+Call", a);
    cf_user(&w.admin, NULL, "&services=ER&services=First+Call", b);
    cf_user(&w.admin, NULL, "&services=ER", c);
    cr_assert(eq(long, cf_call(&w.reader, "GET", "/api/2016-10-01/user/search?service=First+Call",
                               NULL, NULL, &doc),
                 200));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "ok"));
    users = json_object_get(doc, "users");
    cr_assert(eq(sz, json_array_size(users), 2));
    for (size_t i = 0; i < 2; i++) {
        const char *e = cf_str(json_array_get(users, i), "email");
        cr_assert(it_true(!strcmp(e, a) || !strcmp(e, b)), "unexpected %s", e);
        cr_assert(eq(str, (char *)cf_str(json_array_get(users, i), "primary_ou"), w.root));
    }
    json_decref(doc);
    /* nobody holds it in another OU */
    snprintf(path, sizeof path, "/api/2016-10-01/user/search?service=ER&iid=%s", w.child);
    cr_assert(eq(long, cf_call(&w.admin, "GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "users")), 0));
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.admin, "GET", "/api/2016-10-01/user/search", NULL, NULL, &doc),
                 400));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "reason"), "service"), "Missing value"));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2016-10-01/user/search?service=ER&iid=%s", w.root);
    cr_assert(eq(long, cf_call(&w.other_admin, "GET", path, NULL, NULL, &doc), 403));
    json_decref(doc);
    /* the other tenant's own search does not show A's users */
    cr_assert(eq(long, cf_call(&w.other_admin, "GET", "/api/2016-10-01/user/search?service=ER",
                               NULL, NULL, &doc),
                 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "users")), 0));
    json_decref(doc);
}

Test(clinical_people_update, account_of_another_tenant_too_is_not_changed)
{
    struct cf_world w;
    char email[128];
    json_t *doc = NULL, *u;
    PGconn *pg;
    const char *params[2];

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", email);
    /* the person joins the other tenant too (as /v1's add-user would) */
    pg = it_pg();
    params[0] = email;
    params[1] = w.other_id;
    free(it_pg_value(pg,
                     "INSERT INTO identity.user_organizations (user_id, organization_id) "
                     "SELECT id, $2::uuid FROM identity.users WHERE username = $1 RETURNING 1",
                     2, params));
    PQfinish(pg);
    {
        char path[300];
        snprintf(path, sizeof path, USERS "/%s", email);
        cr_assert(eq(long, cf_call(&w.admin, "PUT", path, NULL, "account_status=inactive", &doc),
                     403));
        cf_assert_error(doc, "not authorized");
        json_decref(doc);
        cr_assert(eq(long, cf_call(&w.admin, "PUT", path, NULL, "first_name=Eve", &doc), 403));
        json_decref(doc);
        /* the clinical profile is the OU's own */
        cr_assert(eq(long, cf_call(&w.admin, "PUT", path, NULL, "title=Chief", &doc), 200));
        json_decref(doc);
    }
    u = user_of(&w.admin, email);
    cr_assert(eq(str, (char *)cf_str(u, "account_status"), ""));
    cr_assert(eq(str, (char *)cf_str(u, "first_name"), "Jo"));
    cr_assert(eq(str, (char *)cf_str(u, "title"), "Chief"));
    json_decref(u);
}
