/* test_zz_agreements_gate.c: login while onboarding is down (issue 13,
 * glue; "zz" so it runs late, since it stops a daemon). Identity remembers
 * from CheckAgreements' answers which organizations have required service
 * documents: with onboarding stopped, a person of an organization known to
 * have none still logs in; a person of an organization with a required
 * document gets 503 (fail closed). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"

static void restore(void)
{
    it_stack_restore(60000);
}

TestSuite(zz_agreements_gate, .timeout = 180, .fini = restore);

/* A registered person of a fresh organization: its id into org, the
 * username into username (128 bytes). */
static void person(char *org, char *username)
{
    PGconn *pg = it_pg();
    char user_id[40];

    af_org(pg, org);
    af_user(pg, "it-gate", 1, 1, username, user_id);
    af_member(pg, user_id, org, "patient");
    PQfinish(pg);
}

Test(zz_agreements_gate, without_onboarding_only_people_of_gated_organizations_are_refused)
{
    char open_org[40], open_user[128], gated_org[40], gated_user[128], extra[160];
    const char *p[1];
    char *doc_id;
    json_t *doc = NULL;
    PGconn *pg;

    IT_REQUIRE_STACK();
    person(open_org, open_user);
    person(gated_org, gated_user);
    pg = it_pg();
    p[0] = gated_org;
    doc_id = it_pg_value(pg,
                         "INSERT INTO onboarding.service_documents (organization_id, type, "
                         "version, title, required) VALUES ($1::uuid, 'terms', '1', 'Terms', "
                         "true) RETURNING id::text",
                         1, p);
    PQfinish(pg);
    cr_assert(doc_id != NULL);

    /* onboarding up: both log in (the gated one agreeing) */
    cr_assert(eq(long, af_login(open_user, AF_PASSWORD, NULL, &doc), 201));
    json_decref(doc);
    snprintf(extra, sizeof extra, "{\"service-document-agreements\": [\"%s\"]}", doc_id);
    free(doc_id);
    cr_assert(eq(long, af_login(gated_user, AF_PASSWORD, extra, &doc), 201));
    json_decref(doc);

    /* onboarding down */
    cr_assert(eq(int, it_stack(NULL, 0, "stop", "onboarding", NULL), 0));
    cr_assert(eq(long, af_login(open_user, AF_PASSWORD, NULL, &doc), 201),
              "a person without required documents depends on onboarding");
    cr_assert(strlen(af_str(doc, "access-token")) > 0);
    json_decref(doc);
    cr_assert(eq(long, af_login(gated_user, AF_PASSWORD, NULL, &doc), 503));
    af_error(doc, 503, NULL);
    json_decref(doc);

    /* back up: the gate is asked again */
    cr_assert(eq(int, it_stack(NULL, 0, "start", "onboarding", NULL), 0));
    cr_assert(eq(long, af_login(gated_user, AF_PASSWORD, NULL, &doc), 201));
    json_decref(doc);
}
