/* test_privacy_deletion_json.c: a deletion request rendered as its
 * JSON:API resource, running and as a tombstone. */
// links: services/privacy/deletion_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/privacy/deletion_json.h"

static struct deletion_rec rec_make(int done)
{
    struct deletion_rec r;
    memset(&r, 0, sizeof r);
    strcpy(r.id, "8b0f1e2a-0000-4000-8000-000000000001");
    if (!done) {
        strcpy(r.user_id, "8b0f1e2a-0000-4000-8000-000000000002");
        strcpy(r.email, "ann@example.com");
    }
    strcpy(r.type, "indv");
    strcpy(r.status, done ? "done" : "running");
    strcpy(r.created_at, "2026-12-04T23:00:00.000Z");
    r.nsteps = 2;
    strcpy(r.steps[0].app, "identity");
    strcpy(r.steps[0].operation, "purge");
    strcpy(r.steps[0].state, "done");
    strcpy(r.steps[1].app, "events");
    strcpy(r.steps[1].operation, "purge");
    strcpy(r.steps[1].state, done ? "done" : "pending");
    strcpy(r.steps[1].reference_id, "r-1"); /* the reference a replica reports with */
    return r;
}

Test(privacy_deletion_json, running_request)
{
    struct deletion_rec r = rec_make(0);
    json_t *j = deletion_json(&r);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert(eq(str, s,
                 "{\"attributes\":{\"archive\":false,\"created-by\":\"8b0f1e2a-0000-4000-8000-"
                 "000000000002\",\"created-time\":\"2026-12-04T23:00:00.000Z\",\"email\":\"ann@"
                 "example.com\",\"individual-id\":null,\"progress\":[{\"app\":\"identity\","
                 "\"operation\":\"purge\",\"reference-id\":\"\",\"state\":\"done\"},{\"app\":"
                 "\"events\",\"operation\":\"purge\",\"reference-id\":\"r-1\",\"state\":\"pending\"}],\"status\":\"running\",\"type\":\"indv\"},"
                 "\"id\":\"8b0f1e2a-0000-4000-8000-000000000001\",\"type\":\"deletion-requests\"}"));
    free(s);
    json_decref(j);
}

Test(privacy_deletion_json, tombstone_names_nobody)
{
    struct deletion_rec r = rec_make(1);
    json_t *j = deletion_json(&r), *a = json_object_get(j, "attributes");
    int created_by_null = json_is_null(json_object_get(a, "created-by"));
    int email_null = json_is_null(json_object_get(a, "email"));

    cr_assert(created_by_null);
    cr_assert(email_null);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "status")), "done"));
    json_decref(j);
}
