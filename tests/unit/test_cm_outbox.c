/* test_cm_outbox.c: the outbox's pure parts: the relay's retry backoff,
 * which subjects an event may be written to, EVENTS_REPLICAS's values. The
 * relay itself runs against a real stack in tests/integration/test_events.c
 * (and on a NATS cluster in test_nats_cluster_load.c). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "cm_outbox.h"
#include "envelope.pb-c.h"
#include "identity.pb-c.h"

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

Test(cm_outbox, events_replicas_from_1_to_5_default_1)
{
    cr_assert(eq(int, cm_outbox_replicas(NULL), 1));
    cr_assert(eq(int, cm_outbox_replicas(""), 1));
    cr_assert(eq(int, cm_outbox_replicas("1"), 1));
    cr_assert(eq(int, cm_outbox_replicas("3"), 3));
    cr_assert(eq(int, cm_outbox_replicas("5"), 5));
    cr_assert(eq(int, cm_outbox_replicas("0"), -1));
    cr_assert(eq(int, cm_outbox_replicas("6"), -1));
    cr_assert(eq(int, cm_outbox_replicas("-1"), -1));
    cr_assert(eq(int, cm_outbox_replicas("3x"), -1));
    cr_assert(eq(int, cm_outbox_replicas("three"), -1));
    cr_assert(eq(int, cm_outbox_replicas("99999999999999999999"), -1));
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

/* --- cm_outbox_add_now's stamp: the key appended to the packed event, then
 * the transaction's now() as text (written by the INSERT) --- */

#define STAMP "2026-12-04T22:00:00.123456Z"

Test(cm_outbox, stamp_key_is_the_occurred_at_field_and_its_length)
{
    uint8_t key[11];
    size_t n = cm_outbox_stamp_key(&identity__membership_changed__descriptor, key);

    cr_assert(eq(sz, strlen(STAMP), (size_t)CM_OUTBOX_STAMP_LEN));
    cr_assert(eq(sz, n, 2));
    cr_assert(eq(u8, key[0], (4 << 3) | 2), "field 4, length-delimited");
    cr_assert(eq(u8, key[1], CM_OUTBOX_STAMP_LEN));
}

Test(cm_outbox, stamp_key_is_empty_for_a_message_without_occurred_at)
{
    uint8_t key[11];

    cr_assert(eq(sz, cm_outbox_stamp_key(&envelope__principal__descriptor, key), 0));
    cr_assert(eq(sz, cm_outbox_stamp_key(NULL, key), 0));
}

/* Packs ev, appends its stamp key and STAMP (what the database appends) and
 * unpacks the result. */
static Identity__MembershipChanged *stamped(const Identity__MembershipChanged *ev)
{
    uint8_t buf[512];
    size_t n = protobuf_c_message_pack(&ev->base, buf);

    n += cm_outbox_stamp_key(ev->base.descriptor, buf + n);
    memcpy(buf + n, STAMP, CM_OUTBOX_STAMP_LEN);
    n += CM_OUTBOX_STAMP_LEN;
    return identity__membership_changed__unpack(NULL, n, buf);
}

Test(cm_outbox, a_stamped_event_reads_back_with_its_fields_and_the_stamp)
{
    Identity__MembershipChanged ev = IDENTITY__MEMBERSHIP_CHANGED__INIT, *got;

    ev.user_id = "u-1";
    ev.organization_id = "o-2";
    ev.change = "added";
    got = stamped(&ev);
    cr_assert(got != NULL);
    cr_assert(eq(str, got->user_id, "u-1"));
    cr_assert(eq(str, got->organization_id, "o-2"));
    cr_assert(eq(str, got->change, "added"));
    cr_assert(eq(str, got->occurred_at, STAMP));
    identity__membership_changed__free_unpacked(got, NULL);
}

Test(cm_outbox, the_stamp_wins_over_an_occurred_at_already_set)
{
    Identity__MembershipChanged ev = IDENTITY__MEMBERSHIP_CHANGED__INIT, *got;

    ev.occurred_at = "1999-01-01T00:00:00.000000Z";
    got = stamped(&ev);
    cr_assert(got != NULL);
    cr_assert(eq(str, got->occurred_at, STAMP));
    identity__membership_changed__free_unpacked(got, NULL);
}
