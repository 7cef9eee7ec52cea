/* test_authz_projection.c: the pure part of authz's projection of identity
 * (services/authz/projection.h): identity's events decoded into the change
 * each makes, the subjects it ignores, the malformed events it refuses, and
 * the RFC 3339 check of occurred_at. */
// links: services/authz/projection_decode.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/authz/projection.h"
#include "cm_nats.h"
#include "identity.pb-c.h"

#define USER "6f1c2a8e-0d4b-4c57-9a51-3f0e8d2b7c11"
#define ORG "0b22aaad-1980-4406-b809-32552bc3d8e2"
#define AT "2024-05-01T12:00:00.123456Z"

/* The parameters of a table's test: its indexes (Criterion copies them
 * into each test's process; pointers into the table would not survive). */
#define INDEX_PARAMS(table)                                                                        \
    do {                                                                                           \
        static size_t idx_[sizeof(table) / sizeof((table)[0])];                                    \
        for (size_t k_ = 0; k_ < sizeof(table) / sizeof((table)[0]); k_++)                         \
            idx_[k_] = k_;                                                                         \
        return cr_make_param_array(size_t, idx_, sizeof(table) / sizeof((table)[0]));              \
    } while (0)

/* Packs msg and decodes it as published on subject; the result to c (caller
 * projection_change_release), the reason to why. */
static cm_err decode(const char *subject, const ProtobufCMessage *msg, struct projection_change *c,
                     char *why)
{
    size_t len = 0;
    uint8_t *buf = cm_pack(msg, &len);
    cm_err err = projection_decode(subject, buf, len, c, why, 160);

    free(buf);
    return err;
}

static Identity__UserChanged user_event(void)
{
    Identity__UserChanged ev = IDENTITY__USER_CHANGED__INIT;

    ev.user_id = USER;
    ev.change = "updated";
    ev.username = "ann";
    ev.email = "ann@example.com";
    ev.first_name = "Ann";
    ev.last_name = "Lee";
    ev.enabled = 0;
    ev.platform_admin = 1;
    ev.occurred_at = AT;
    return ev;
}

Test(projection_decode, user_changed_carries_every_attribute)
{
    Identity__UserChanged ev = user_event();
    struct projection_change c;
    char why[160];

    cr_assert(eq(int, decode("evt.identity.user.updated", &ev.base, &c, why), CM_OK), "%s", why);
    cr_assert(eq(int, c.kind, PROJECTION_USER));
    cr_assert(eq(str, (char *)c.user_id, USER));
    cr_assert(eq(str, (char *)c.username, "ann"));
    cr_assert(eq(str, (char *)c.email, "ann@example.com"));
    cr_assert(eq(str, (char *)c.first_name, "Ann"));
    cr_assert(eq(str, (char *)c.last_name, "Lee"));
    cr_assert(eq(int, c.enabled, 0));
    cr_assert(eq(int, c.platform_admin, 1));
    cr_assert(eq(str, (char *)c.occurred_at, AT));
    projection_change_release(&c);
    cr_assert(eq(ptr, c.msg, NULL));
}

Test(projection_decode, every_user_verb_is_a_user_change)
{
    static const char *const verbs[] = {"created", "updated",   "disabled",
                                        "enabled", "confirmed", "password_changed"};
    Identity__UserChanged ev = user_event();
    struct projection_change c;
    char subject[96], why[160];

    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        snprintf(subject, sizeof subject, "evt.identity.user.%s", verbs[i]);
        cr_assert(eq(int, decode(subject, &ev.base, &c, why), CM_OK), "%s: %s", subject, why);
        cr_assert(eq(int, c.kind, PROJECTION_USER), "%s", subject);
        projection_change_release(&c);
    }
}

Test(projection_decode, memberships_added_and_removed)
{
    Identity__MembershipChanged ev = IDENTITY__MEMBERSHIP_CHANGED__INIT;
    struct projection_change c;
    char why[160];

    ev.user_id = USER;
    ev.organization_id = ORG;
    ev.change = "added";
    ev.occurred_at = AT;
    cr_assert(eq(int, decode("evt.identity.membership.added", &ev.base, &c, why), CM_OK));
    cr_assert(eq(int, c.kind, PROJECTION_MEMBERSHIP_ADDED));
    cr_assert(eq(str, (char *)c.user_id, USER));
    cr_assert(eq(str, (char *)c.organization_id, ORG));
    projection_change_release(&c);
    cr_assert(eq(int, decode("evt.identity.membership.removed", &ev.base, &c, why), CM_OK));
    cr_assert(eq(int, c.kind, PROJECTION_MEMBERSHIP_REMOVED));
    projection_change_release(&c);
}

Test(projection_decode, roles_added_and_removed)
{
    Identity__RoleMembershipChanged ev = IDENTITY__ROLE_MEMBERSHIP_CHANGED__INIT;
    struct projection_change c;
    char why[160];

    ev.user_id = USER;
    ev.organization_id = ORG;
    ev.role_id = "11111111-1111-1111-1111-111111111111";
    ev.role_name = "admin";
    ev.occurred_at = "2024-05-01T12:00:00+02:00";
    cr_assert(eq(int, decode("evt.identity.role.added", &ev.base, &c, why), CM_OK), "%s", why);
    cr_assert(eq(int, c.kind, PROJECTION_ROLE_ADDED));
    cr_assert(eq(str, (char *)c.role_name, "admin"));
    cr_assert(eq(str, (char *)c.organization_id, ORG));
    projection_change_release(&c);
    cr_assert(eq(int, decode("evt.identity.role.removed", &ev.base, &c, why), CM_OK));
    cr_assert(eq(int, c.kind, PROJECTION_ROLE_REMOVED));
    projection_change_release(&c);
}

/* Subjects the projection acks and skips, whatever their payload. */
static const char *const ignored[] = {
    "evt.identity.organization.created",
    "evt.identity.organization.updated",
    "evt.identity.session.revoked",
    "evt.identity.api_client.changed",
    "evt.identity.membership.frozen",
    "evt.identity.role.renamed",
    "evt.identity.user.",
    "evt.authz.group.created",
    "evt.identity",
    "",
};

ParameterizedTestParameters(projection_decode, ignores_what_it_does_not_hold)
{
    INDEX_PARAMS(ignored);
}

ParameterizedTest(size_t *i, projection_decode, ignores_what_it_does_not_hold)
{
    static const uint8_t junk[] = {0xff, 0xff, 0xff};
    struct projection_change c;
    char why[160];

    cr_assert(
        eq(int, projection_decode(ignored[*i], junk, sizeof junk, &c, why, sizeof why), CM_OK),
        "%s: %s", ignored[*i], why);
    cr_assert(eq(int, c.kind, PROJECTION_IGNORE), "%s", ignored[*i]);
    cr_assert(eq(ptr, c.msg, NULL));
    projection_change_release(&c);
}

Test(projection_decode, refuses_what_does_not_unpack)
{
    static const uint8_t junk[] = {0xff, 0xff, 0xff};
    static const char *const subjects[] = {
        "evt.identity.user.created", "evt.identity.membership.added", "evt.identity.role.removed"};
    struct projection_change c;
    char why[160];

    for (size_t i = 0; i < 3; i++) {
        cr_assert(eq(int, projection_decode(subjects[i], junk, sizeof junk, &c, why, sizeof why),
                     CM_EINVAL),
                  "%s", subjects[i]);
        cr_assert(strstr(why, "does not unpack") != NULL, "%s", why);
        projection_change_release(&c);
    }
    /* an empty payload unpacks to empty fields: no user id */
    cr_assert(eq(int, projection_decode(subjects[0], NULL, 0, &c, why, sizeof why), CM_EINVAL));
    projection_change_release(&c);
}

Test(projection_decode, refuses_bad_ids_names_and_times)
{
    Identity__UserChanged user = user_event();
    Identity__RoleMembershipChanged role = IDENTITY__ROLE_MEMBERSHIP_CHANGED__INIT;
    struct projection_change c;
    char why[160];

    user.user_id = "not-a-uuid";
    cr_assert(eq(int, decode("evt.identity.user.created", &user.base, &c, why), CM_EINVAL));
    cr_assert(eq(str, why, "user_id is not a uuid"));
    projection_change_release(&c);
    user = user_event();
    user.occurred_at = "yesterday";
    cr_assert(eq(int, decode("evt.identity.user.created", &user.base, &c, why), CM_EINVAL));
    cr_assert(eq(str, why, "occurred_at is not an RFC 3339 time"));
    projection_change_release(&c);

    role.user_id = USER;
    role.organization_id = "";
    role.role_name = "admin";
    role.occurred_at = AT;
    cr_assert(eq(int, decode("evt.identity.role.added", &role.base, &c, why), CM_EINVAL));
    cr_assert(eq(str, why, "organization_id is not a uuid"));
    projection_change_release(&c);
    role.organization_id = ORG;
    role.role_name = "";
    cr_assert(eq(int, decode("evt.identity.role.added", &role.base, &c, why), CM_EINVAL));
    cr_assert(eq(str, why, "role_name is empty"));
    projection_change_release(&c);
}

/* --- projection_time_valid --- */

struct time_case {
    const char *s;
    int valid;
};

static const struct time_case times[] = {
    {"2024-05-01T12:00:00Z", 1},
    {"2024-05-01T12:00:00.123456Z", 1},
    {"2024-05-01t12:00:00.1z", 1},
    {"2024-05-01T12:00:00.123456789+02:00", 1},
    {"2024-05-01T12:00:00-05:30", 1},
    {"2024-05-01T12:00:00", 0},             /* no zone */
    {"2024-05-01 12:00:00Z", 0},            /* space */
    {"2024-05-01T12:00:00.Z", 0},           /* empty fraction */
    {"2024-05-01T12:00:00.1234567890Z", 0}, /* 10 digits */
    {"2024-05-01T12:00:00+0200", 0},
    {"2024-5-01T12:00:00Z", 0},
    {"2024-05-01T12:00:00Zjunk", 0},
    {"", 0},
};

ParameterizedTestParameters(projection_time, rfc3339)
{
    INDEX_PARAMS(times);
}

ParameterizedTest(size_t *i, projection_time, rfc3339)
{
    cr_assert(eq(int, projection_time_valid(times[*i].s), times[*i].valid), "\"%s\"", times[*i].s);
}

Test(projection_time, null_is_not_a_time)
{
    cr_assert(eq(int, projection_time_valid(NULL), 0));
}
