/* user_json.c: UserAttrs of one user row (user_json.h). Values identity
 * does not hold (individuals, sharing, authz times, onboarding records)
 * render as empty arrays, empty objects or null. */
#include "user_json.h"

#include <string.h>

#include "cm_jsonapi.h"

/* The channels of CommPrefs, each an object. */
static const char *const channels[] = {"email", "mobile", "sms", "voice", "web", NULL};

const char *user_json_state(const struct user_rec *u)
{
    if (!u->enabled)
        return "disabled";
    return u->registered ? "registered" : "init";
}

/* communication-preferences: the stored object with every channel present. */
static json_t *comm_prefs(const char *text)
{
    json_t *obj = json_loads(text && text[0] ? text : "{}", 0, NULL);

    if (!json_is_object(obj)) {
        json_decref(obj);
        return NULL;
    }
    for (const char *const *c = channels; *c; c++)
        if (!json_is_object(json_object_get(obj, *c)))
            json_object_set_new(obj, *c, json_object());
    return obj;
}

/* A JSON array parsed from text, or NULL when text is not one. */
static json_t *array_of(const char *text)
{
    json_t *a = json_loads(text && text[0] ? text : "[]", 0, NULL);

    if (!json_is_array(a)) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* The organization of orgs whose id is id, NULL when none. Borrowed. */
static json_t *org_by_id(const json_t *orgs, const char *id)
{
    size_t i;
    json_t *o;

    if (!id || !id[0])
        return NULL;
    json_array_foreach(orgs, i, o)
    {
        const char *oid = json_string_value(json_object_get(o, "id"));
        if (oid && !strcmp(oid, id))
            return o;
    }
    return NULL;
}

/* Which organization is the user's current one: current_org when the user
 * belongs to it, else the default organization, else the first. */
static json_t *current_of(const json_t *orgs, const char *current_org, const char *default_org)
{
    json_t *o = org_by_id(orgs, current_org);

    if (!o)
        o = org_by_id(orgs, default_org);
    if (!o)
        o = json_array_get(orgs, 0);
    return o;
}

static int holds_admin(const json_t *roles)
{
    size_t i;
    json_t *r;

    json_array_foreach(roles, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        if (name && !strcmp(name, "admin"))
            return 1;
    }
    return 0;
}

/* organizations of the read: {display-name, id, name} of each. */
static json_t *organizations_detail(const json_t *orgs)
{
    json_t *out = json_array(), *o;
    size_t i;

    json_array_foreach(orgs, i, o)
    {
        json_array_append_new(out, json_pack("{s:O, s:O, s:O}", "display-name",
                                             json_object_get(o, "display-name"), "id",
                                             json_object_get(o, "id"), "name",
                                             json_object_get(o, "name")));
    }
    return out;
}

json_t *user_json_attrs(const struct user_rec *u, const char *current_org, unsigned flags)
{
    json_t *orgs = array_of(u->organizations), *roles = array_of(u->roles);
    json_t *prefs = comm_prefs(u->comm_prefs), *attrs = NULL, *ids, *cur, *o;
    size_t i;

    if (!orgs || !roles || !prefs)
        goto done;
    ids = json_array();
    json_array_foreach(orgs, i, o)
        json_array_append(ids, json_object_get(o, "id"));
    cur = current_of(orgs, current_org, u->default_org_id);
    attrs = json_object();
    json_object_set_new(attrs, "additional-individuals", json_array());
    json_object_set_new(attrs, "authz-last-event-time", json_null());
    json_object_set_new(attrs, "authz-last-populated-time", json_null());
    json_object_set_new(attrs, "auto-confirm", json_false());
    json_object_set_new(attrs, "auto-sign-up", json_false());
    json_object_set_new(attrs, "birth-date", cm_json_str_or_null(u->birth_date));
    json_object_set_new(attrs, "classification", json_string(u->classification));
    json_object_set(attrs, "communication-preferences", prefs);
    json_object_set_new(attrs, "date-created", cm_json_str_or_null(u->created_at));
    json_object_set_new(attrs, "date-last-modified", cm_json_str_or_null(u->last_modified_time));
    json_object_set_new(attrs, "default-organization-id", cm_json_str_or_null(u->default_org_id));
    json_object_set_new(attrs, "email", cm_json_str_or_null(u->email));
    json_object_set_new(attrs, "email-verified", json_boolean(u->email_verified));
    json_object_set_new(attrs, "enabled", json_boolean(u->enabled));
    json_object_set_new(attrs, "first-name", json_string(u->first_name));
    json_object_set_new(attrs, "last-login-time", cm_json_str_or_null(u->last_login_time));
    json_object_set_new(attrs, "last-modified-time", cm_json_str_or_null(u->last_modified_time));
    json_object_set_new(attrs, "last-name", json_string(u->last_name));
    json_object_set_new(attrs, "locale", json_string(u->locale));
    json_object_set_new(attrs, "locale-explicit", json_boolean(u->locale_explicit));
    json_object_set_new(attrs, "organization-admin", json_boolean(holds_admin(roles)));
    json_object_set_new(attrs, "organization-count", json_integer((json_int_t)json_array_size(orgs)));
    json_object_set(attrs, "organization-id", cur ? json_object_get(cur, "id") : json_null());
    json_object_set_new(attrs, "organization-ids", ids);
    json_object_set_new(attrs, "organization-logo-url",
                        cm_json_str_or_null(cur ? json_string_value(json_object_get(cur, "logo-url"))
                                                : NULL));
    json_object_set_new(attrs, "phone", cm_json_str_or_null(u->phone));
    json_object_set_new(attrs, "phone-type", json_string(u->phone_type));
    json_object_set_new(attrs, "phone-verified", json_boolean(u->phone_verified));
    json_object_set_new(attrs, "primary-individual-id", json_null());
    json_object_set_new(attrs, "registered", json_boolean(u->registered));
    json_object_set_new(attrs, "registration-completed-time",
                        cm_json_str_or_null(u->registration_completed_time));
    json_object_set_new(attrs, "registration-invite",
                        json_string(u->registered ? "accepted" : "none"));
    json_object_set(attrs, "roles", roles);
    json_object_set_new(attrs, "shared-with", json_array());
    json_object_set_new(attrs, "state", json_string(user_json_state(u)));
    json_object_set_new(attrs, "status", json_string(u->locked_until[0] ? "locked" : "active"));
    json_object_set_new(attrs, "tz", cm_json_str_or_null(u->tz));
    json_object_set_new(attrs, "tz-explicit", json_boolean(u->tz_explicit));
    json_object_set_new(attrs, "username", json_string(u->username));
    if (flags & USER_JSON_LOCKS)
        json_object_set_new(attrs, "locked-until", cm_json_str_or_null(u->locked_until));
    if (flags & USER_JSON_DETAIL) {
        /* Onboarding owns these records; identity has none to show yet. */
        json_object_set_new(attrs, "enrollment-data", json_object());
        json_object_set_new(attrs, "onboarding-requests", json_array());
        json_object_set_new(attrs, "org-code-signup-requests", json_array());
        json_object_set_new(attrs, "organizations", organizations_detail(orgs));
    }
done:
    json_decref(orgs);
    json_decref(roles);
    json_decref(prefs);
    return attrs;
}

json_t *user_json_resource(const struct user_rec *u, const char *current_org, unsigned flags)
{
    json_t *attrs = user_json_attrs(u, current_org, flags);
    return attrs ? cm_jsonapi_resource("users", u->id, attrs) : NULL;
}
