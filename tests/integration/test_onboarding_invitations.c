/* test_onboarding_invitations.c: registration invitations (#112-#114): an
 * admin invites an email address (the email goes out through messaging,
 * its result in last-invite), lists and reads invitations; the person
 * claims one by signing up with its code as referral-code; strangers get
 * 404 and empty lists; bad bodies are 400s with a source. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(onboarding_invitations, .timeout = 90, .init = ob_clear_addr_limit);

#define INVS "/v1/registration-invitations/"

static const json_t *attrs_of(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "data"), "attributes");
}

static long invite(const char *token, const char *attributes, json_t **doc)
{
    char body[1024];

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"registration-invitations\", \"attributes\": %s}}",
             attributes);
    return af_call("POST", INVS, token, body, doc);
}

Test(onboarding_invitations, an_invited_person_claims_it_by_signing_up)
{
    struct ob_fixture f;
    char email[128], attrs[512], id[40], code[64], path[256], org[40];
    char uid[40], stranger[AF_TOKEN_MAX];
    json_t *doc = NULL, *msg, *body;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    it_unique(email, 100, "it-inv-");
    strcat(email, "@example.com");
    snprintf(attrs, sizeof attrs, "{\"invited-email\": \"%s\", \"organization-id\": \"%s\"}", email,
             f.org_id);
    cr_assert(eq(long, invite(f.admin, attrs, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(code, sizeof code, "%s", af_str(attrs_of(doc), "code"));
    cr_assert(
        eq(str, (char *)af_str(json_object_get(doc, "data"), "type"), "registration-invitations"));
    cr_assert(eq(str, (char *)af_str(attrs_of(doc), "invited-email"), email));
    cr_assert(strlen(af_str(attrs_of(doc), "created-time")) > 0);
    cr_assert(it_true(json_is_null(json_object_get(attrs_of(doc), "claimed-time"))));
    cr_assert(
        eq(str, (char *)af_str(json_object_get(attrs_of(doc), "last-invite"), "status"), "sent"));
    json_decref(doc);
    msg = it_spool_wait(email, "registration-invitation", 5000);
    cr_assert(msg != NULL, "no invitation reached %s", email);
    cr_assert(strstr(af_str(msg, "body"), code) != NULL);
    json_decref(msg);

    snprintf(path, sizeof path, INVS "?organization-id=%s", f.org_id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    snprintf(path, sizeof path, INVS "%s/", id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    json_decref(doc);

    /* strangers */
    org[0] = '\0';
    af_member_login("it-inv-stranger", org, "admin", uid, stranger);
    cr_assert(eq(long, af_call("GET", path, stranger, NULL, &doc), 404));
    json_decref(doc);
    snprintf(path, sizeof path, INVS "?organization-id=%s", f.org_id);
    cr_assert(eq(long, af_call("GET", path, stranger, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    cr_assert(eq(long, invite(stranger, attrs, &doc), 404));
    json_decref(doc);
    /* their own organization is the default */
    snprintf(attrs, sizeof attrs, "{\"invited-email\": \"x-%s\"}", email);
    cr_assert(eq(long, invite(stranger, attrs, &doc), 201));
    cr_assert(eq(str, (char *)af_str(attrs_of(doc), "organization-id"), org));
    json_decref(doc);

    /* errors */
    cr_assert(eq(long, invite(NULL, attrs, &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, invite(f.admin, "{}", &doc), 400));
    af_error(doc, 400, "/data/attributes/invited-email");
    json_decref(doc);
    cr_assert(eq(long, invite(f.admin, "{\"invited-email\": \"nope\"}", &doc), 400));
    json_decref(doc);
    cr_assert(eq(long, invite(f.admin, "{\"invited-email\": \"a@example.com\"}", &doc), 400));
    af_error(doc, 400, "/data/attributes/organization-id"); /* the platform admin has none */
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", INVS "not-a-uuid/", f.admin, NULL, &doc), 404));
    json_decref(doc);

    /* the person claims it */
    body = ob_sign_up_body(f.code, email, NULL);
    json_object_set_new(body, "referral-code", json_string(code));
    ob_sign_up_confirmed(body);
    json_decref(body);
    snprintf(path, sizeof path, INVS "%s/", id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(strlen(af_str(attrs_of(doc), "claimed-time")) > 0);
    cr_assert(eq(sz, strlen(af_str(attrs_of(doc), "claimed-by")), 36));
    json_decref(doc);
    /* both changes were announced */
    pg = it_pg();
    {
        const char *p[] = {id};
        char *n = it_pg_value(pg,
                              "SELECT count(DISTINCT subject)::text FROM onboarding.outbox "
                              "WHERE subject LIKE 'evt.onboarding.registration_invitation.%' "
                              "AND position(convert_to($1, 'UTF8') in payload) > 0",
                              1, p);
        cr_assert(eq(str, n, "2"));
        free(n);
    }
    PQfinish(pg);
}
