/* projection_decode.c: identity's events, decoded into the change they make
 * to authz's projection (projection.h). Pure: no I/O, unit-tested in
 * tests/unit/test_authz_projection.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "identity.pb-c.h"
#include "projection.h"

#define EVT_USER "evt.identity.user."
#define EVT_MEMBERSHIP "evt.identity.membership."
#define EVT_ROLE "evt.identity.role."

/* Writes the reason and returns CM_EINVAL. */
static cm_err fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cm_err fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return CM_EINVAL;
}

/* n digits at s. */
static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

int projection_time_valid(const char *s)
{
    size_t frac = 0;

    if (!s || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return 0;
    s += 19;
    if (*s == '.') {
        while (isdigit((unsigned char)s[1 + frac]))
            frac++;
        if (frac < 1 || frac > 9)
            return 0;
        s += 1 + frac;
    }
    if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
        return 1;
    return (*s == '+' || *s == '-') && digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2) &&
           s[6] == '\0';
}

/* Checks what every change needs: a uuid user and a valid time. */
static cm_err check_common(const struct projection_change *c, char *why, size_t whylen)
{
    if (!cm_uuid_valid(c->user_id))
        return fail(why, whylen, "user_id is not a uuid");
    if (!projection_time_valid(c->occurred_at))
        return fail(why, whylen, "occurred_at is not an RFC 3339 time");
    return CM_OK;
}

static cm_err decode_user(const uint8_t *data, size_t len, struct projection_change *out, char *why,
                          size_t whylen)
{
    Identity__UserChanged *ev = identity__user_changed__unpack(NULL, len, data);

    if (!ev)
        return fail(why, whylen, "UserChanged does not unpack");
    out->msg = &ev->base;
    out->kind = PROJECTION_USER;
    out->user_id = ev->user_id;
    out->username = ev->username;
    out->email = ev->email;
    out->first_name = ev->first_name;
    out->last_name = ev->last_name;
    out->enabled = ev->enabled;
    out->platform_admin = ev->platform_admin;
    out->occurred_at = ev->occurred_at;
    return check_common(out, why, whylen);
}

static cm_err decode_membership(const char *verb, const uint8_t *data, size_t len,
                                struct projection_change *out, char *why, size_t whylen)
{
    Identity__MembershipChanged *ev;

    if (strcmp(verb, "added") && strcmp(verb, "removed"))
        return CM_OK; /* a verb this projection does not know: ignored */
    ev = identity__membership_changed__unpack(NULL, len, data);
    if (!ev)
        return fail(why, whylen, "MembershipChanged does not unpack");
    out->msg = &ev->base;
    out->kind = verb[0] == 'a' ? PROJECTION_MEMBERSHIP_ADDED : PROJECTION_MEMBERSHIP_REMOVED;
    out->user_id = ev->user_id;
    out->organization_id = ev->organization_id;
    out->occurred_at = ev->occurred_at;
    if (!cm_uuid_valid(out->organization_id))
        return fail(why, whylen, "organization_id is not a uuid");
    return check_common(out, why, whylen);
}

static cm_err decode_role(const char *verb, const uint8_t *data, size_t len,
                          struct projection_change *out, char *why, size_t whylen)
{
    Identity__RoleMembershipChanged *ev;

    if (strcmp(verb, "added") && strcmp(verb, "removed"))
        return CM_OK;
    ev = identity__role_membership_changed__unpack(NULL, len, data);
    if (!ev)
        return fail(why, whylen, "RoleMembershipChanged does not unpack");
    out->msg = &ev->base;
    out->kind = verb[0] == 'a' ? PROJECTION_ROLE_ADDED : PROJECTION_ROLE_REMOVED;
    out->user_id = ev->user_id;
    out->organization_id = ev->organization_id;
    out->role_name = ev->role_name;
    out->occurred_at = ev->occurred_at;
    if (!cm_uuid_valid(out->organization_id))
        return fail(why, whylen, "organization_id is not a uuid");
    if (!out->role_name[0])
        return fail(why, whylen, "role_name is empty");
    return check_common(out, why, whylen);
}

cm_err projection_decode(const char *subject, const uint8_t *data, size_t len,
                         struct projection_change *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    out->kind = PROJECTION_IGNORE;
    out->user_id = out->organization_id = out->role_name = "";
    out->username = out->email = out->first_name = out->last_name = "";
    out->occurred_at = "";
    if (why && whylen)
        why[0] = '\0';
    if (!subject)
        return CM_OK;
    if (!strncmp(subject, EVT_USER, strlen(EVT_USER)) && subject[strlen(EVT_USER)])
        return decode_user(data, len, out, why, whylen);
    if (!strncmp(subject, EVT_MEMBERSHIP, strlen(EVT_MEMBERSHIP)))
        return decode_membership(subject + strlen(EVT_MEMBERSHIP), data, len, out, why, whylen);
    if (!strncmp(subject, EVT_ROLE, strlen(EVT_ROLE)))
        return decode_role(subject + strlen(EVT_ROLE), data, len, out, why, whylen);
    return CM_OK;
}

void projection_change_release(struct projection_change *c)
{
    if (c->msg)
        protobuf_c_message_free_unpacked(c->msg, NULL);
    memset(c, 0, sizeof *c);
}
