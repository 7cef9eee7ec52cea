/* test_privacy_rules.c: privacy's pure rules: an archive request's
 * interview (answers checked, states decided) and an anonymous access's
 * allow-list (read, normalised, matched); aggregation's columns. */
// links: services/privacy/archive.c services/privacy/anonymous_access.c services/privacy/aggregation.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/privacy/aggregation.h"
#include "../../services/privacy/anonymous_access.h"
#include "../../services/privacy/archive.h"

Test(privacy_archive, answers_and_states)
{
    char err[128];
    int which = 0;

    cr_assert(eq(int, archive_answer_check(ARCHIVE_Q_CONFIRM, "yes", &which, err, sizeof err),
                 CM_OK));
    cr_assert(eq(int, archive_answer_check(ARCHIVE_Q_CONFIRM, "Yes", &which, err, sizeof err),
                 CM_EINVAL));
    cr_assert(eq(int, which, 2));
    cr_assert(eq(int, archive_answer_check(ARCHIVE_Q_REASON, "", &which, err, sizeof err),
                 CM_EINVAL));
    cr_assert(eq(int, archive_answer_check("00000000-0000-4000-8000-000000000000", "yes", &which,
                                           err, sizeof err),
                 CM_EINVAL));
    cr_assert(eq(int, which, 1));
    cr_assert(eq(str, (char *)archive_state_after(NULL, NULL), "interview-pending"));
    cr_assert(eq(str, (char *)archive_state_after("yes", NULL), "interview-pending"));
    cr_assert(eq(str, (char *)archive_state_after(NULL, "moving"), "interview-pending"));
    cr_assert(eq(str, (char *)archive_state_after("yes", "moving"), "archive-requested"));
    cr_assert(eq(str, (char *)archive_state_after("no", NULL), "archive-canceled"));
    cr_assert(eq(str, (char *)archive_state_after("no", "moving"), "archive-canceled"));
}

Test(privacy_anon, lists_are_checked_normalised_and_matched)
{
    json_t *in = json_loads("[{\"service\": \"identity\", \"path\": \"/v1/password-strength/\", "
                            "\"method\": \"POST\", \"extra\": 1}]",
                            0, NULL),
           *out = NULL;
    char err[160], *text;
    int idx;

    cr_assert(eq(int, anon_endpoints_read(in, &out, &idx, err, sizeof err), CM_OK));
    text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert(eq(str, text,
                 "[{\"method\":\"post\",\"path\":\"/v1/password-strength/\",\"service\":"
                 "\"identity\"}]"));
    free(text);
    cr_assert(eq(str, (char *)anon_endpoint_match(out, "POST", "/v1/password-strength/"),
                 "identity"));
    cr_assert(anon_endpoint_match(out, "get", "/v1/password-strength/") == NULL);
    cr_assert(anon_endpoint_match(out, "post", "/v1/password-strength") == NULL);
    json_decref(in);
    json_decref(out);
}

Test(privacy_anon, bad_lists_name_the_entry)
{
    static const char *const bad[] = {
        "[]",
        "{}",
        "[{\"service\": \"billing\", \"path\": \"/x\", \"method\": \"get\"}]",
        "[{\"service\": \"identity\", \"path\": \"x\", \"method\": \"get\"}]",
        "[{\"service\": \"identity\", \"path\": \"/x?a=1\", \"method\": \"get\"}]",
        "[{\"service\": \"privacy\", \"path\": \"/v1/anonymous-accesses/1/proxy/\", "
        "\"method\": \"post\"}]",
        "[{\"service\": \"identity\", \"path\": \"/x\", \"method\": \"put\"}]",
        "[{\"service\": \"identity\", \"path\": \"/x\"}]",
    };
    char err[160];
    int idx;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *in = json_loads(bad[i], 0, NULL), *out = NULL;
        cr_assert(eq(int, anon_endpoints_read(in, &out, &idx, err, sizeof err), CM_EINVAL), "%s",
                  bad[i]);
        cr_assert(eq(int, idx, i < 2 ? -1 : 0), "%s", bad[i]);
        json_decref(in);
    }
}

Test(privacy_aggregation, columns_and_their_owners)
{
    cr_assert(eq(int, agg_column_owner("email"), AGG_AUTHZ));
    cr_assert(eq(int, agg_column_owner("group-ids"), AGG_AUTHZ));
    cr_assert(eq(int, agg_column_owner("privacy-level"), AGG_PRIVACY));
    cr_assert(eq(int, agg_column_owner("password"), AGG_NONE));
    cr_assert(eq(int, agg_column_owner("Email"), AGG_NONE));
}
