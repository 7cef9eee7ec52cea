/* test_cm_outbox.c: the outbox's pure parts: the relay's retry backoff and
 * which subjects an event may be written to. The relay itself runs against
 * a real stack in tests/integration/test_events.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "cm_outbox.h"
#include "envelope.pb-c.h"

Test(cm_outbox, backoff_doubles_from_250_ms_up_to_2_s)
{
    cr_assert(eq(int, cm_outbox_backoff_ms(0), 0));
    cr_assert(eq(int, cm_outbox_backoff_ms(-3), 0));
    cr_assert(eq(int, cm_outbox_backoff_ms(1), 250));
    cr_assert(eq(int, cm_outbox_backoff_ms(2), 500));
    cr_assert(eq(int, cm_outbox_backoff_ms(3), 1000));
    cr_assert(eq(int, cm_outbox_backoff_ms(4), 2000));
    cr_assert(eq(int, cm_outbox_backoff_ms(5), 2000));
    cr_assert(eq(int, cm_outbox_backoff_ms(1000000), 2000));
}

static const char *const good_subjects[] = {
    "evt.identity.api_client.changed",
    "evt.a",
    "evt.authz.group.member-added",
};

static const char *const bad_subjects[] = {
    "",
    "evt",
    "evt.",
    "evt..x",
    "evt.x.",
    "identity.api_client.changed",
    "evt.identity.*",
    "evt.>",
    "evt.identity.api client",
    "evt.identity.\tx",
    "evt.identity.caf\xc3\xa9",
};

ParameterizedTestParameters(cm_outbox, accepts_event_subjects)
{
    static size_t idx[sizeof good_subjects / sizeof good_subjects[0]];
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, cm_outbox, accepts_event_subjects)
{
    cr_assert(eq(int, cm_outbox_subject_valid(good_subjects[*i]), 1), "%s refused", good_subjects[*i]);
}

ParameterizedTestParameters(cm_outbox, refuses_other_subjects)
{
    static size_t idx[sizeof bad_subjects / sizeof bad_subjects[0]];
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, cm_outbox, refuses_other_subjects)
{
    cr_assert(eq(int, cm_outbox_subject_valid(bad_subjects[*i]), 0), "%s accepted", bad_subjects[*i]);
}

Test(cm_outbox, refuses_null_and_overlong_subjects)
{
    char longest[CM_OUTBOX_MAX_SUBJECT + 2];

    cr_assert(eq(int, cm_outbox_subject_valid(NULL), 0));
    memset(longest, 'a', sizeof longest - 1);
    memcpy(longest, "evt.", 4);
    longest[CM_OUTBOX_MAX_SUBJECT] = '\0';
    cr_assert(eq(int, cm_outbox_subject_valid(longest), 1));
    longest[CM_OUTBOX_MAX_SUBJECT] = 'a';
    longest[CM_OUTBOX_MAX_SUBJECT + 1] = '\0';
    cr_assert(eq(int, cm_outbox_subject_valid(longest), 0));
}

Test(cm_outbox, refuses_bad_arguments_before_touching_the_database)
{
    Envelope__Principal p = ENVELOPE__PRINCIPAL__INIT;
    char id[37] = "";

    cr_assert(eq(int, cm_outbox_add(NULL, "evt.a.b", &p.base, id), CM_EINVAL));
    cr_assert(eq(int, cm_outbox_add((PGconn *)&p, "a.b", &p.base, id), CM_EINVAL));
    cr_assert(eq(int, cm_outbox_add((PGconn *)&p, "evt.a.b", NULL, id), CM_EINVAL));
    cr_assert(eq(str, id, ""));
}
