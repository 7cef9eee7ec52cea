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

/* organizations of the read: {display-name, id, name} of each, sharing the
 * values of orgs. */
static json_t *organizations_detail(const json_t *orgs)
{
    static const char *const keys[] = {"display-name", "id", "name", NULL};
    json_t *out = json_array(), *o;
    size_t i;

    json_array_foreach(orgs, i, o)
    {
        json_t *d = json_object();
        for (const char *const *k = keys; *k; k++)
            json_object_set_nocheck(d, *k, json_object_get(o, *k));
        json_array_append_new(out, d);
    }
    return out;
}

/* Sets key of obj to value (stolen); key is a constant ASCII name, so the
 * UTF-8 check of json_object_set_new is skipped. */
static void put(json_t *obj, const char *key, json_t *value)
{
    json_object_set_new_nocheck(obj, key, value);
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
    put(attrs, "additional-individuals", json_array());
    put(attrs, "authz-last-event-time", json_null());
    put(attrs, "authz-last-populated-time", json_null());
    put(attrs, "auto-confirm", json_false());
    put(attrs, "auto-sign-up", json_false());
    put(attrs, "birth-date", cm_json_str_or_null(u->birth_date));
    put(attrs, "classification", json_string(u->classification));
    put(attrs, "communication-preferences", json_incref(prefs));
    put(attrs, "date-created", cm_json_str_or_null(u->created_at));
    put(attrs, "date-last-modified", cm_json_str_or_null(u->last_modified_time));
    put(attrs, "default-organization-id", cm_json_str_or_null(u->default_org_id));
    put(attrs, "email", cm_json_str_or_null(u->email));
    put(attrs, "email-verified", json_boolean(u->email_verified));
    put(attrs, "enabled", json_boolean(u->enabled));
    put(attrs, "first-name", json_string(u->first_name));
    put(attrs, "last-login-time", cm_json_str_or_null(u->last_login_time));
    put(attrs, "last-modified-time", cm_json_str_or_null(u->last_modified_time));
    put(attrs, "last-name", json_string(u->last_name));
    put(attrs, "locale", json_string(u->locale));
    put(attrs, "locale-explicit", json_boolean(u->locale_explicit));
    put(attrs, "organization-admin", json_boolean(holds_admin(roles)));
    put(attrs, "organization-count", json_integer((json_int_t)json_array_size(orgs)));
    put(attrs, "organization-id", json_incref(cur ? json_object_get(cur, "id") : json_null()));
    put(attrs, "organization-ids", ids);
    put(attrs, "organization-logo-url",
        cm_json_str_or_null(cur ? json_string_value(json_object_get(cur, "logo-url")) : NULL));
    /* not in the seed: the address an email change awaits verification of
     * (email stays the verified one until then) */
    put(attrs, "pending-email", cm_json_str_or_null(u->pending_email));
    put(attrs, "phone", cm_json_str_or_null(u->phone));
    put(attrs, "phone-type", json_string(u->phone_type));
    put(attrs, "phone-verified", json_boolean(u->phone_verified));
    put(attrs, "primary-individual-id", json_null());
    put(attrs, "registered", json_boolean(u->registered));
    put(attrs, "registration-completed-time", cm_json_str_or_null(u->registration_completed_time));
    put(attrs, "registration-invite", json_string(u->registered ? "accepted" : "none"));
    put(attrs, "roles", json_incref(roles));
    put(attrs, "shared-with", json_array());
    put(attrs, "state", json_string(user_json_state(u)));
    put(attrs, "status", json_string(u->locked_until[0] ? "locked" : "active"));
    put(attrs, "tz", cm_json_str_or_null(u->tz));
    put(attrs, "tz-explicit", json_boolean(u->tz_explicit));
    put(attrs, "username", json_string(u->username));
    if (flags & USER_JSON_LOCKS)
        put(attrs, "locked-until", cm_json_str_or_null(u->locked_until));
    if (flags & USER_JSON_DETAIL) {
        /* Onboarding owns these records; identity has none to show yet. */
        put(attrs, "enrollment-data", json_object());
        put(attrs, "onboarding-requests", json_array());
        put(attrs, "org-code-signup-requests", json_array());
        put(attrs, "organizations", organizations_detail(orgs));
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
