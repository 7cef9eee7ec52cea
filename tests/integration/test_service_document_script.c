/* test_service_document_script.c: scripts/service-document.sh, the
 * operator's way to publish a service document (the catalogue has no
 * operation that writes one): the document it inserts is served by
 * GET /v1/service-documents/{id}/ and listed as the organization's latest;
 * a value with quotes stays a value. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(service_document_script, .timeout = 90);

#define SCRIPT "scripts/service-document.sh"

Test(service_document_script, publishes_a_document_the_api_serves)
{
    struct ob_fixture f;
    char cmd[2048], id[64] = "", type[64], path[256];
    json_t *doc = NULL, *data;
    FILE *p;
    int found = 0;

    IT_REQUIRE_STACK();
    if (access(SCRIPT, X_OK) != 0)
        cr_skip_test("run from the repository root");
    ob_fixture_make(&f);
    it_unique(type, 40, "terms-");
    snprintf(cmd, sizeof cmd,
             "PSQL='psql %s' " SCRIPT " --org %s --type %s --version v1 --title \"Terms 'x'; --\" "
             "--link https://docs.example.com/t",
             it_env("TEST_PG_URL"), f.org_id, type);
    p = popen(cmd, "r");
    cr_assert(p != NULL);
    if (!fgets(id, sizeof id, p))
        id[0] = '\0';
    cr_assert(eq(int, pclose(p), 0), "the script failed");
    id[strcspn(id, "\r\n")] = '\0';
    cr_assert(eq(sz, strlen(id), 36), "id \"%s\"", id);

    snprintf(path, sizeof path, "/v1/service-documents/%s/", id);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(
        str, (char *)af_str(json_object_get(json_object_get(doc, "data"), "attributes"), "title"),
        "Terms 'x'; --"));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/service-documents/?latest=true&organizations=%s", f.org_id);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 200));
    data = json_object_get(doc, "data");
    for (size_t i = 0; i < json_array_size(data); i++)
        found |= !strcmp(af_str(json_array_get(data, i), "id"), id);
    json_decref(doc);
    cr_assert(found, "the new document is not the organization's latest");
}
