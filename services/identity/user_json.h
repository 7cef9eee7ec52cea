/* user_json.h: the `users` resource as the API shows it (UserAttrs,
 * spec/identity-api.md §5), built from one row of identity's tables. Pure:
 * no I/O; the row comes from store_users.h (store_user_row). */
#ifndef IDENTITY_USER_JSON_H
#define IDENTITY_USER_JSON_H

#include <jansson.h>

/* One user as read from the database. Every string is borrowed (from the
 * PGresult it came from) and "" for SQL NULL; none is NULL. */
struct user_rec {
    const char *id;
    const char *username;
    const char *email;
    const char *first_name;
    const char *last_name;
    const char *birth_date; /* YYYY-MM-DD */
    const char *phone;
    const char *phone_type;
    const char *locale;
    const char *tz;
    const char *classification;
    const char *comm_prefs;     /* JSON object text */
    const char *default_org_id; /* users.default_organization_id */
    const char *registration_completed_time; /* RFC 3339 UTC, like every time below */
    const char *last_login_time;
    const char *created_at;
    const char *last_modified_time;
    /* JSON array text: [{"id","name","display-name","logo-url"}], by name */
    const char *organizations;
    /* JSON array text: [{"id","name","display-name","organization-id",
     * "organization-name","organization-display-name"}] */
    const char *roles;
    const char *locked_until; /* "" unless a login lock is in force now */
    const char *pending_email; /* "" unless an email change awaits its code */
    int locale_explicit;
    int tz_explicit;
    int email_verified;
    int phone_verified;
    int registered;
    int enabled;
};

/* What to include beyond the list item's attributes. */
enum {
    USER_JSON_DETAIL = 1, /* the read (#147): organizations, onboarding-requests,
                           * org-code-signup-requests, enrollment-data */
    USER_JSON_LOCKS = 2,  /* the caller administers the user: locked-until */
};

/* "disabled" when not enabled, "init" until sign-up is confirmed, else
 * "registered". Static string. */
const char *user_json_state(const struct user_rec *u);

/* The attributes object of u. current_org is the organization the caller
 * sees as the user's current one ("" or NULL: the default organization,
 * else the first membership); it gives organization-id and
 * organization-logo-url. flags: USER_JSON_*. Returns a new object, or NULL
 * when the row's JSON columns are malformed (a bug). */
json_t *user_json_attrs(const struct user_rec *u, const char *current_org, unsigned flags);

/* {"type": "users", "id", "attributes"} of u, or NULL as user_json_attrs. */
json_t *user_json_resource(const struct user_rec *u, const char *current_org, unsigned flags);

#endif
