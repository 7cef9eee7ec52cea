/* test_clinical_people.c: the clinical API's users through the edge:
 * POST admin/users (the seed's JSON example, form parameters, defaults,
 * reasons for invalid parameters, duplicates), GET admin/users/{uid} by
 * user_id and ou:user_id, refusals across OUs and tenants, the activation
 * email and the events. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_fixtures.h"

TestSuite(clinical_people, .timeout = 120);

#define USERS "/api/2015-02-01/admin/users"

static long get_user(const struct cf_client *c, const char *uid, json_t **doc)
{
    char path[512];

    snprintf(path, sizeof path, USERS "/%s", uid);
    return cf_call(c, "GET", path, NULL, NULL, doc);
}

Test(clinical_people, seed_json_example_creates_and_reads_back)
{
    struct cf_world w;
    char local[64], email[128], body[512], uid[300];
    json_t *doc = NULL, *u, *msg;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    it_unique(local, sizeof local, "jdoe-");
    snprintf(email, sizeof email, "%s@amsconnect.co", local);
    snprintf(body, sizeof body,
             "{ \"first_name\": \"John\", \"last_name\": \"Doe\", \"email\": \"%s\", "
             "\"primary_ou\": \"%s\", \"specialty\": \"Specialty\", \"title\": \"Title\" }",
             email, w.root);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, "application/json", body, &doc), 200));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "ok"));
    u = json_object_get(doc, "user");
    cr_assert(eq(str, (char *)cf_str(u, "first_name"), "John"));
    cr_assert(eq(str, (char *)cf_str(u, "last_name"), "Doe"));
    cr_assert(eq(str, (char *)cf_str(u, "email"), email));
    cr_assert(eq(str, (char *)cf_str(u, "user_id"), email)); /* defaults to the email */
    cr_assert(eq(str, (char *)cf_str(u, "primary_ou"), w.root));
    cr_assert(eq(str, (char *)cf_str(u, "specialty"), "Specialty"));
    cr_assert(eq(str, (char *)cf_str(u, "title"), "Title"));
    cr_assert(eq(str, (char *)cf_str(u, "managed"), "Y"));
    cr_assert(eq(str, (char *)cf_str(u, "has_password"), "Y"));
    cr_assert(eq(str, (char *)cf_str(u, "account_status"), ""));
    cr_assert(eq(str, (char *)cf_str(u, "status"), "available"));
    cr_assert(eq(sz, strlen(cf_str(u, "id")), 36));
    cr_assert(it_true(json_is_array(json_object_get(u, "services"))));
    cr_assert(eq(long, cf_events("evt.messaging.user.created", cf_str(u, "id")), 1));
    /* the activation email (send_activation_email defaults to True) */
    msg = it_spool_wait(email, "clinical-activation", 10000);
    cr_assert(msg != NULL, "no activation email");
    /* delivery's default "clinical-activation" template */
    cr_assert(eq(str, (char *)json_string_value(json_object_get(msg, "subject")),
                 "Activate your clinical messaging account"));
    {
        const char *b = json_string_value(json_object_get(msg, "body"));
        cr_assert(b && strstr(b, "Hello John,") && strstr(b, email) && strstr(b, w.root), "%s",
                  b ? b : "(none)");
    }
    json_decref(msg);
    json_decref(doc);
    /* read back, by user_id and by ou:user_id */
    cr_assert(eq(long, get_user(&w.admin, email, &doc), 200));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "user"), "email"), email));
    json_decref(doc);
    snprintf(uid, sizeof uid, "%s:%s", w.root, email);
    cr_assert(eq(long, get_user(&w.admin, uid, &doc), 200));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "user"), "primary_ou"), w.root));
    json_decref(doc);
    /* the wrong OU: not found */
    snprintf(uid, sizeof uid, "%s:%s", w.child, email);
    cr_assert(eq(long, get_user(&w.admin, uid, &doc), 404));
    json_decref(doc);
}

Test(clinical_people, every_form_parameter_is_kept)
{
    struct cf_world w;
    char email[128], extra[1024], uid[64];
    json_t *doc = NULL, *u;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    it_unique(uid, sizeof uid, "ext-");
    snprintf(extra, sizeof extra,
             "&user_id=%s&sso=True&managed=False&associated_ou=%s|%s"
             "&admin_permissions=inst-admin:%s%%2B|view-phi:%s/%s&legal_agreement=tos"
             "&pager_number=5551234&tags=tag1|tag2&location=Main&location+detail=Room+5"
             "&city=Albany&state=NY&has_password=False",
             uid, w.root, w.child, w.root, w.root, w.child);
    cf_user(&w.admin, NULL, extra, email);
    cr_assert(eq(long, get_user(&w.admin, uid, &doc), 200));
    u = json_object_get(doc, "user");
    cr_assert(eq(str, (char *)cf_str(u, "user_id"), uid));
    cr_assert(eq(str, (char *)cf_str(u, "email"), email));
    cr_assert(eq(str, (char *)cf_str(u, "sso"), "Y"));
    cr_assert(eq(str, (char *)cf_str(u, "managed"), ""));
    cr_assert(eq(str, (char *)cf_str(u, "has_password"), ""));
    cr_assert(eq(str, (char *)cf_str(u, "legal_agreement"), "tos"));
    cr_assert(eq(str, (char *)cf_str(u, "pager_number"), "5551234"));
    cr_assert(eq(str, (char *)cf_str(u, "location"), "Main"));
    cr_assert(eq(str, (char *)cf_str(u, "location_detail"), "Room 5"));
    cr_assert(eq(str, (char *)cf_str(u, "city"), "Albany"));
    cr_assert(eq(str, (char *)cf_str(u, "state"), "NY"));
    cr_assert(eq(sz, json_array_size(json_object_get(u, "reporting_tags")), 2));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(json_object_get(u, "reporting_tags"), 1)), "tag2"));
    {
        char want[512];
        snprintf(want, sizeof want, "%s|%s", w.root, w.child);
        cr_assert(eq(str, (char *)cf_str(u, "associated_ou"), want));
        snprintf(want, sizeof want, "inst-admin:%s+|view-phi:%s/%s", w.root, w.root, w.child);
        cr_assert(eq(str, (char *)cf_str(u, "admin_permissions"), want));
    }
    json_decref(doc);
    /* send_activation_email=False: nothing was mailed */
    cr_assert(it_spool_wait(email, "clinical-activation", 500) == NULL);
}

Test(clinical_people, missing_and_invalid_parameters_give_reasons)
{
    struct cf_world w;
    char body[512];
    json_t *doc = NULL, *reason;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, NULL, "first_name=Jo", &doc), 400));
    cf_assert_error(doc, "Invalid Request");
    reason = json_object_get(doc, "reason");
    cr_assert(eq(str, (char *)cf_str(reason, "last_name"), "Missing value"));
    cr_assert(eq(str, (char *)cf_str(reason, "email"), "Missing value"));
    cr_assert(eq(str, (char *)cf_str(reason, "specialty"), "Missing value"));
    cr_assert(eq(str, (char *)cf_str(reason, "title"), "Missing value"));
    cr_assert(it_true(json_object_get(reason, "first_name") == NULL));
    json_decref(doc);
    /* bad flags, permissions, pager; an OU of another tenant */
    snprintf(body, sizeof body,
             "first_name=a&last_name=b&email=x@example.com&specialty=s&title=t&sso=maybe"
             "&admin_permissions=fly:%s&pager_number=abc&associated_ou=no-such-ou-zz",
             w.root);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, NULL, body, &doc), 400));
    reason = json_object_get(doc, "reason");
    cr_assert(eq(str, (char *)cf_str(reason, "sso"), "must be True or False"));
    cr_assert(strlen(cf_str(reason, "admin_permissions")) > 0);
    cr_assert(strlen(cf_str(reason, "pager_number")) > 0);
    json_decref(doc);
    snprintf(body, sizeof body,
             "first_name=a&last_name=b&email=x@example.com&specialty=s&title=t"
             "&admin_permissions=inst-admin:%s&associated_ou=no-such-ou-zz",
             w.other);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, NULL, body, &doc), 400));
    reason = json_object_get(doc, "reason");
    cr_assert(eq(str, (char *)cf_str(reason, "admin_permissions"),
                 "each scope must be an OU you administer"));
    cr_assert(eq(str, (char *)cf_str(reason, "associated_ou"), "each item must be an existing OU"));
    json_decref(doc);
    /* a body that does not parse */
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, "application/json", "{nope", &doc), 400));
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "error"));
    json_decref(doc);
}

Test(clinical_people, duplicate_user_is_refused)
{
    struct cf_world w;
    char email[128], body[512];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", email);
    snprintf(body, sizeof body,
             "first_name=a&last_name=b&email=%s&specialty=s&title=t&send_activation_email=False",
             email);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, NULL, body, &doc), 400));
    cf_assert_error(doc, "A user with these credentials already exists");
    json_decref(doc);
}

Test(clinical_people, ous_and_tenants_are_kept_apart)
{
    struct cf_world w;
    char email[128], child_email[128], uid[300], body[512];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", email);
    /* the root's admin manages its child OU ("+": children follow) */
    cf_user(&w.admin, w.child, "", child_email);
    snprintf(uid, sizeof uid, "%s:%s", w.child, child_email);
    cr_assert(eq(long, get_user(&w.admin, uid, &doc), 200));
    json_decref(doc);
    /* the child's admin reaches its own users, not its parent's */
    cr_assert(eq(long, get_user(&w.child_admin, child_email, &doc), 200));
    json_decref(doc);
    cr_assert(eq(long, get_user(&w.child_admin, email, &doc), 404));
    json_decref(doc);
    /* another tenant sees nothing, and may not create there */
    cr_assert(eq(long, get_user(&w.other_admin, email, &doc), 404));
    snprintf(body, sizeof body, "user [%s] not found", email);
    cf_assert_error(doc, body);
    json_decref(doc);
    snprintf(body, sizeof body,
             "first_name=a&last_name=b&email=z@example.com&specialty=s&title=t&primary_ou=%s",
             w.root);
    cr_assert(eq(long, cf_call(&w.other_admin, "POST", USERS, NULL, body, &doc), 403));
    cf_assert_error(doc, "not authorized");
    json_decref(doc);
    /* a client without the admin role reads but does not create */
    cr_assert(eq(long, get_user(&w.reader, email, &doc), 200));
    json_decref(doc);
    cr_assert(eq(long, cf_call(&w.reader, "POST", USERS, NULL, body, &doc), 403));
    json_decref(doc);
    /* no credentials */
    cr_assert(eq(long, get_user(NULL, email, &doc), 401));
    json_decref(doc);
    /* unknown users */
    cr_assert(eq(long, get_user(&w.admin, "nobody-zz@example.com", &doc), 404));
    cf_assert_error(doc, "user [nobody-zz@example.com] not found");
    json_decref(doc);
}

Test(clinical_people, retried_create_adopts_its_own_account_only)
{
    struct cf_world w;
    char email[128], body[512], *v;
    json_t *doc = NULL;
    PGconn *pg;
    const char *params[1];

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", email);
    /* as if the first answer was lost after identity made the account */
    pg = it_pg();
    params[0] = email;
    free(it_pg_value(pg,
                     "DELETE FROM messaging.clinical_users WHERE user_id = (SELECT id FROM "
                     "identity.users WHERE username = $1) RETURNING 1",
                     1, params));
    snprintf(body, sizeof body,
             "first_name=Jo&last_name=Doe&email=%s&specialty=Cardiology&title=MD"
             "&send_activation_email=False",
             email);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, NULL, body, &doc), 200));
    cr_assert(eq(str, (char *)cf_str(json_object_get(doc, "user"), "user_id"), email));
    json_decref(doc);
    v = it_pg_value(pg, "SELECT count(*) FROM identity.users WHERE username = $1", 1, params);
    cr_assert(eq(str, v, "1"));
    free(v);
    /* an account with a password (a /v1 account) is never adopted */
    free(it_pg_value(pg,
                     "DELETE FROM messaging.clinical_users WHERE user_id = (SELECT id FROM "
                     "identity.users WHERE username = $1) RETURNING 1",
                     1, params));
    free(it_pg_value(pg, "UPDATE identity.users SET password_hash = 'x' WHERE username = $1 "
                         "RETURNING 1",
                     1, params));
    PQfinish(pg);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, NULL, body, &doc), 400));
    cf_assert_error(doc, "A user with these credentials already exists");
    json_decref(doc);
}

Test(clinical_people, xml_body_creates)
{
    struct cf_world w;
    char local[64], email[128], body[1024];
    json_t *doc = NULL, *u;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    it_unique(local, sizeof local, "xml-");
    snprintf(email, sizeof email, "%s@example.com", local);
    snprintf(body, sizeof body,
             "<user><first_name>Xena</first_name><last_name>Ml</last_name><email>%s</email>"
             "<specialty>Radiology</specialty><title>RN</title><tags>a|b</tags>"
             "<send_activation_email>False</send_activation_email></user>",
             email);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, "application/xml", body, &doc), 200));
    u = json_object_get(doc, "user");
    cr_assert(eq(str, (char *)cf_str(u, "first_name"), "Xena"));
    cr_assert(eq(str, (char *)cf_str(u, "specialty"), "Radiology"));
    cr_assert(eq(sz, json_array_size(json_object_get(u, "reporting_tags")), 2));
    json_decref(doc);
}

Test(clinical_people, the_organizations_activation_template_is_used)
{
    struct cf_world w;
    char local[64], email[128], body[512], want[300], *v;
    const char *params[1];
    json_t *doc = NULL, *msg;
    PGconn *pg;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    pg = it_pg();
    params[0] = w.root_id;
    v = it_pg_value(pg,
                    "INSERT INTO messaging.templates (id, channel, organization_id, type, locale,"
                    " format, subject, body) VALUES (gen_random_uuid(), 'email', $1::uuid,"
                    " 'clinical-activation', 'en_US', 'html', 'Join {{organization_name}}',"
                    " '<p>Welcome {{name}} ({{user_id}})</p>') RETURNING 'ok'",
                    1, params);
    free(v);
    PQfinish(pg);
    it_unique(local, sizeof local, "tpl-");
    snprintf(email, sizeof email, "%s@example.com", local);
    snprintf(body, sizeof body,
             "first_name=Ann&last_name=Lee&email=%s&specialty=S&title=T", email);
    cr_assert(eq(long, cf_call(&w.admin, "POST", USERS, NULL, body, &doc), 200));
    json_decref(doc);
    msg = it_spool_wait(email, "clinical-activation", 10000);
    cr_assert(msg != NULL, "no activation email");
    snprintf(want, sizeof want, "Join %s", w.root);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(msg, "subject")), want));
    snprintf(want, sizeof want, "<p>Welcome Ann (%s)</p>", email);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(msg, "body")), want));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(msg, "format")), "html"));
    json_decref(msg);
}
