/* clinical_patients_input.c: patient records and subscriptions, checked
 * and normalised (clinical_patients_input.h). */
#include "clinical_patients_input.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_body.h"

#define MISSING "Missing value"
#define INVALID "Invalid value"
#define UNKNOWN "Unknown parameter"
#define FIELD_MAX 255
#define NOTES_MAX 4000

static void flag(json_t *reason, const char *name, const char *why)
{
    if (!json_object_get(reason, name))
        json_object_set_new(reason, name, json_string(why));
}

/* A string member of obj (at most max characters); copied into rec under
 * the same name when present. Returns it, or NULL. */
static const char *opt_text(const json_t *obj, const char *name, size_t max, json_t *rec,
                            json_t *reason, const char *label)
{
    const json_t *v = json_object_get(obj, name);
    const char *s;

    if (!v || json_is_null(v))
        return NULL;
    s = json_string_value(v);
    if (!s || cm_body_utf8_chars(s) > max) {
        flag(reason, label ? label : name, INVALID);
        return NULL;
    }
    if (rec)
        json_object_set_new(rec, name, json_string(s));
    return s;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* y-m-d is a real calendar date. */
static int real_date(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= days[m - 1] + (m == 2 && leap(y));
}

/* "YYYY-MM-DD" as a real date. */
static int iso_date(const char *s)
{
    return strlen(s) == 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
           digits(s + 8, 2) && real_date(atoi(s), atoi(s + 5), atoi(s + 8));
}

/* "MM-DD-YYYY" as a real date. */
static int us_date(const char *s)
{
    return strlen(s) == 10 && digits(s, 2) && s[2] == '-' && digits(s + 3, 2) && s[5] == '-' &&
           digits(s + 6, 4) && real_date(atoi(s + 6), atoi(s), atoi(s + 3));
}

static int consent_ok(const char *s, const char *unused)
{
    (void)unused;
    const char *rest, *colon;

    if (!strncmp(s, "add:", 4))
        rest = s + 4;
    else if (!strncmp(s, "remove:", 7))
        rest = s + 7;
    else
        return 0;
    colon = strrchr(rest, ':');
    if (!colon || colon == rest || (size_t)(colon - rest) > 64)
        return 0;
    for (const char *p = rest; p < colon; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return 0;
    return us_date(colon + 1) || iso_date(colon + 1);
}

/* An array of strings each passing ok (NULL: any non-empty one), at most
 * cap; copied into rec. */
static void string_array(const json_t *obj, const char *name, size_t cap,
                         int (*ok)(const char *, const char *), const char *ctx, json_t *rec,
                         json_t *reason)
{
    const json_t *v = json_object_get(obj, name), *e;
    size_t i;

    if (!v || json_is_null(v))
        return;
    if (!json_is_array(v) || json_array_size(v) > cap) {
        flag(reason, name, INVALID);
        return;
    }
    json_array_foreach(v, i, e)
    {
        const char *s = json_string_value(e);
        if (!s || !s[0] || cm_body_utf8_chars(s) > FIELD_MAX || (ok && !ok(s, ctx))) {
            flag(reason, name, INVALID);
            return;
        }
    }
    json_object_set(rec, name, (json_t *)v);
}

static int lang_ok(const char *s)
{
    size_t n = strlen(s);

    if (n != 2 && n != 5)
        return 0;
    if (!isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]))
        return 0;
    return n == 2 || (s[2] == '-' && isalpha((unsigned char)s[3]) && isalpha((unsigned char)s[4]));
}

static int ssn_ok(const char *s)
{
    size_t n = strlen(s);

    return (n == 9 && digits(s, 9)) || (n == 11 && digits(s, 3) && s[3] == '-' &&
                                        digits(s + 4, 2) && s[6] == '-' && digits(s + 7, 4));
}

/* Flags field INVALID in reason when obj has a member not in names
 * (NULL-terminated). */
static void only_members(const json_t *obj, const char *const *names, json_t *reason,
                         const char *field)
{
    const char *key;
    json_t *val;

    json_object_foreach((json_t *)obj, key, val)
    {
        int known = 0;
        for (int i = 0; names[i]; i++)
            known |= !strcmp(key, names[i]);
        if (!known)
            flag(reason, field, INVALID);
    }
}

static void name_of(const json_t *params, json_t *rec, json_t *reason)
{
    static const char *const parts[] = {"prefix", "given", "middle", "family", "suffix", NULL};
    const json_t *v = json_object_get(params, "name");
    json_t *out;
    const char *given, *family;

    if (!v) {
        flag(reason, "name", MISSING);
        return;
    }
    if (!json_is_object(v)) {
        flag(reason, "name", INVALID);
        return;
    }
    out = json_object();
    only_members(v, parts, reason, "name");
    for (int i = 0; parts[i]; i++)
        opt_text(v, parts[i], FIELD_MAX, out, reason, "name");
    given = json_string_value(json_object_get(out, "given"));
    family = json_string_value(json_object_get(out, "family"));
    if (!given || !given[0] || !family || !family[0])
        flag(reason, "name", MISSING);
    json_object_set_new(rec, "name", out);
}

static void address_of(const json_t *params, json_t *rec, json_t *reason)
{
    static const char *const parts[] = {
        "street_address", "street_other", "city", "state", "zip", "country", NULL};
    const json_t *v = json_object_get(params, "address");
    json_t *out;
    const char *zip, *street, *city, *state;

    if (!v || json_is_null(v))
        return;
    if (!json_is_object(v)) {
        flag(reason, "address", INVALID);
        return;
    }
    only_members(v, parts, reason, "address");
    out = json_object();
    for (int i = 0; parts[i]; i++)
        opt_text(v, parts[i], FIELD_MAX, out, reason, "address");
    zip = json_string_value(json_object_get(out, "zip"));
    street = json_string_value(json_object_get(out, "street_address"));
    city = json_string_value(json_object_get(out, "city"));
    state = json_string_value(json_object_get(out, "state"));
    /* "Either a zip or (street_address, city, state, zip) are required" */
    if (!zip || !zip[0] || (street && street[0] && (!city || !city[0] || !state || !state[0])))
        flag(reason, "address", INVALID);
    json_object_set_new(rec, "address", out);
}

static void pids_of(const json_t *params, json_t *rec, json_t *reason)
{
    const json_t *v = json_object_get(params, "pids"), *e;
    size_t i;

    if (!v || json_is_null(v))
        return;
    if (!json_is_array(v) || json_array_size(v) > 20) {
        flag(reason, "pids", INVALID);
        return;
    }
    json_array_foreach(v, i, e)
    {
        const char *a = json_string_value(json_object_get(e, "authority"));
        const char *id = json_string_value(json_object_get(e, "identifier"));
        if (!json_is_object(e) || json_object_size(e) != 2 || !a || !a[0] || !id || !id[0] ||
            cm_body_utf8_chars(a) > FIELD_MAX || cm_body_utf8_chars(id) > FIELD_MAX) {
            flag(reason, "pids", INVALID);
            return;
        }
    }
    json_object_set(rec, "pids", (json_t *)v);
}

static void attributes_of(const json_t *params, json_t *rec, json_t *reason)
{
    static const char *const texts[] = {"notes",         "pcp_name", "pcp_phone", "pcp_npi",
                                        "pcp_address",   "pcp_city", "pcp_state", "pcp_zip",
                                        "plan_group_id", NULL};
    static const char *const flags[] = {"control", "email_consent", "sms_consent", NULL};
    const json_t *v = json_object_get(params, "patient_attributes");
    const char *key;
    json_t *val, *out;

    if (!v || json_is_null(v))
        return;
    if (!json_is_object(v)) {
        flag(reason, "patient_attributes", INVALID);
        return;
    }
    out = json_object();
    json_object_foreach((json_t *)v, key, val)
    {
        int known = 0;
        for (int i = 0; texts[i]; i++)
            if (!strcmp(key, texts[i])) {
                known = 1;
                opt_text(v, key, !strcmp(key, "notes") ? NOTES_MAX : FIELD_MAX, out, reason,
                         "patient_attributes");
            }
        for (int i = 0; flags[i]; i++)
            if (!strcmp(key, flags[i])) {
                known = 1;
                if (!json_is_boolean(val))
                    flag(reason, "patient_attributes", INVALID);
                else
                    json_object_set(out, key, val);
            }
        if (!known)
            flag(reason, "patient_attributes", INVALID);
    }
    json_object_set_new(rec, "patient_attributes", out);
}

const char *patient_primary_ou(const json_t *params)
{
    const json_t *v = json_object_get(params, "primary_ou");

    if (!v)
        return "";
    return json_string_value(v);
}

/* An associated OU must be the primary OU root itself or one below it
 * ("root:..."). */
static int assoc_ok(const char *s, const char *root)
{
    size_t n = strlen(root);
    return !strcmp(s, root) || (!strncmp(s, root, n) && s[n] == ':' && s[n + 1]);
}

cm_err patient_input_read(const json_t *params, const char *path_pid, const char *ou_name,
                          const char *today, json_t **out_record, json_t **out_reason)
{
    static const char *const known[] = {"pid",
                                        "primary_ou",
                                        "name",
                                        "dob",
                                        "sex",
                                        "ssn",
                                        "medicaid_id",
                                        "pcm_enabled",
                                        "associated_ou",
                                        "consents",
                                        "address",
                                        "home_phone",
                                        "mobile_phone",
                                        "email",
                                        "preferred_language",
                                        "patient_attributes",
                                        "pids",
                                        NULL};
    json_t *rec = json_object(), *reason = json_object(), *val;
    const char *key, *pid, *dob, *sex, *s;
    const json_t *pcm;

    json_object_foreach((json_t *)params, key, val)
    {
        int ok = 0;
        for (int i = 0; known[i]; i++)
            ok |= !strcmp(key, known[i]);
        if (!ok)
            flag(reason, key, UNKNOWN);
    }
    pid = opt_text(params, "pid", FIELD_MAX, NULL, reason, NULL);
    if (path_pid && pid && strcmp(pid, path_pid) != 0)
        flag(reason, "pid", INVALID);
    if (path_pid)
        pid = path_pid;
    if (!pid || !pid[0])
        flag(reason, "pid", MISSING);
    else
        json_object_set_new(rec, "pid", json_string(pid));
    name_of(params, rec, reason);
    dob = opt_text(params, "dob", 10, rec, reason, NULL);
    if (!json_object_get(params, "dob"))
        flag(reason, "dob", MISSING);
    else if (dob && (!iso_date(dob) || strcmp(dob, today) > 0))
        flag(reason, "dob", INVALID);
    sex = opt_text(params, "sex", 1, rec, reason, NULL);
    if (!json_object_get(params, "sex"))
        flag(reason, "sex", MISSING);
    else if (sex && (strlen(sex) != 1 || !strchr("AFMNOU", sex[0])))
        flag(reason, "sex", INVALID);
    s = opt_text(params, "ssn", 11, rec, reason, NULL);
    if (s && !ssn_ok(s))
        flag(reason, "ssn", INVALID);
    opt_text(params, "medicaid_id", 64, rec, reason, NULL);
    pcm = json_object_get(params, "pcm_enabled");
    if (pcm && !json_is_boolean(pcm))
        flag(reason, "pcm_enabled", INVALID);
    json_object_set_new(rec, "pcm_enabled", json_boolean(!pcm || !json_is_false(pcm)));
    string_array(params, "associated_ou", 50, assoc_ok, ou_name, rec, reason);
    string_array(params, "consents", 50, consent_ok, NULL, rec, reason);
    address_of(params, rec, reason);
    opt_text(params, "home_phone", 32, rec, reason, NULL);
    opt_text(params, "mobile_phone", 32, rec, reason, NULL);
    s = opt_text(params, "email", FIELD_MAX, rec, reason, NULL);
    if (s && (!strchr(s, '@') || strchr(s, ' ')))
        flag(reason, "email", INVALID);
    s = opt_text(params, "preferred_language", 5, rec, reason, NULL);
    if (s && !lang_ok(s))
        flag(reason, "preferred_language", INVALID);
    attributes_of(params, rec, reason);
    pids_of(params, rec, reason);
    if (json_object_size(reason)) {
        json_decref(rec);
        *out_reason = reason;
        return CM_EINVAL;
    }
    json_decref(reason);
    *out_record = rec;
    return CM_OK;
}

cm_err subscription_input_read(const json_t *params, json_t **out_sub, json_t **out_reason)
{
    static const char *const known[] = {"primary_ou", "sid", "tags", "consents", NULL};
    json_t *sub = json_object(), *reason = json_object(), *val;
    const json_t *tags;
    const char *key, *sid;

    json_object_foreach((json_t *)params, key, val)
    {
        int ok = 0;
        for (int i = 0; known[i]; i++)
            ok |= !strcmp(key, known[i]);
        if (!ok)
            flag(reason, key, UNKNOWN);
    }
    sid = opt_text(params, "sid", FIELD_MAX, sub, reason, NULL);
    if (!json_object_get(params, "sid") || (sid && !sid[0]))
        flag(reason, "sid", MISSING);
    string_array(params, "tags", 50, NULL, NULL, sub, reason);
    string_array(params, "consents", 50, consent_ok, NULL, sub, reason);
    tags = json_object_get(sub, "tags");
    if (!tags)
        json_object_set_new(sub, "tags", json_array());
    if (!json_object_get(sub, "consents"))
        json_object_set_new(sub, "consents", json_array());
    /* "if empty array then disable subscription" */
    json_object_set_new(sub, "enabled", json_boolean(!tags || json_array_size(tags) > 0));
    if (json_object_size(reason)) {
        json_decref(sub);
        *out_reason = reason;
        return CM_EINVAL;
    }
    json_decref(reason);
    *out_sub = sub;
    return CM_OK;
}
