/* clinical_people_input.c: admin/users parameters, checked
 * (clinical_people_input.h). */
#include "clinical_people_input.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical_body.h"
#include "cm_body.h"

/* The actions of the seed's note and of its example user record. */
static const char *const actions[] = {
    "inst-admin", "view-phi", "api-manage-accounts", "admin-institution-updates",
    "admin-user-audit", "admin-institution-provisioning", "admin-user-update-pager",
    "admin-user-update-permissions", "admin-ctn-reporting", "admin-reporting",
    "admin-user-activation", "admin-api-user-management", "admin-ctn-management",
    "admin-user-provisioning", "filearea-write", "filearea-read", "admin-user-updates",
    "admin-user-update-tags", NULL};

static int known_action(const char *s, size_t n)
{
    for (int i = 0; actions[i]; i++)
        if (strlen(actions[i]) == n && !strncmp(actions[i], s, n))
            return 1;
    return 0;
}

int clinical_permissions_parse(const char *s, json_t *ous, char *why, size_t cap)
{
    const char *p = s;

    while (*p) {
        const char *end = strchr(p, '|'), *colon;
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *scope, *q;

        colon = memchr(p, ':', n);
        if (!colon || !known_action(p, (size_t)(colon - p))) {
            snprintf(why, cap, "each grant must be <action>:<scope> with a known action");
            return -1;
        }
        scope = colon + 1;
        q = scope;
        while (q <= p + n) {
            const char *slash = memchr(q, '/', (size_t)(p + n - q));
            size_t m = slash ? (size_t)(slash - q) : (size_t)(p + n - q);
            if (m > 0 && q[m - 1] == '+')
                m--;
            if (m == 0 || m >= 256) {
                snprintf(why, cap, "each scope must name an OU (OU, OU+ or OU/OU)");
                return -1;
            }
            json_array_append_new(ous, json_stringn(q, m));
            if (!slash)
                break;
            q = slash + 1;
        }
        p += n;
        if (*p == '|')
            p++;
    }
    return 0;
}

int clinical_uid_split(const char *uid, char *ou, size_t ou_cap, char *user, size_t user_cap)
{
    const char *colon = strrchr(uid, ':');
    size_t oun = colon ? (size_t)(colon - uid) : 0;
    const char *u = colon ? colon + 1 : uid;

    if (!u[0] || strlen(u) >= user_cap || oun >= ou_cap || (colon && oun == 0))
        return -1;
    snprintf(ou, ou_cap, "%.*s", (int)oun, uid);
    snprintf(user, user_cap, "%s", u);
    return 0;
}

/* A text parameter: NULL when absent; reason when not a string, not
 * within max characters or (required) empty. */
static const char *text(const json_t *p, const char *key, int required, size_t max,
                        json_t **reason)
{
    const json_t *v = json_object_get(p, key);
    const char *s = clinical_str(p, key);
    char why[64];

    if (!v) {
        if (required)
            clinical_reason(reason, key, "Missing value");
        return NULL;
    }
    if (!s) {
        clinical_reason(reason, key, "must be a string");
        return NULL;
    }
    if (required && !s[0]) {
        clinical_reason(reason, key, "Missing value");
        return NULL;
    }
    if (cm_body_utf8_chars(s) > max) {
        snprintf(why, sizeof why, "must have at most %zu characters", max);
        clinical_reason(reason, key, why);
        return NULL;
    }
    return s;
}

static void flag(const json_t *p, const char *key, int *out, json_t **reason)
{
    if (clinical_flag(p, key, -1, out) != 0)
        clinical_reason(reason, key, "must be True or False");
}

/* A pipe-delimited text (or a JSON array) as a JSON array of its
 * non-empty parts (NULL when absent). */
static json_t *pipe_list(const json_t *p, const char *key, json_t **reason)
{
    const json_t *v = json_object_get(p, key);
    json_t *out, *e;
    size_t i;

    if (!v)
        return NULL;
    out = json_array();
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (!json_is_string(e) || cm_body_utf8_chars(json_string_value(e)) > CLINICAL_TEXT_MAX) {
                clinical_reason(reason, key, "must be a list of names");
                break;
            }
            if (json_string_length(e))
                json_array_append(out, e);
        }
        return out;
    }
    const char *s = clinical_str(p, key);
    if (!s) {
        clinical_reason(reason, key, "must be a pipe-delimited list");
        return out;
    }
    while (*s) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        if (n > CLINICAL_TEXT_MAX)
            clinical_reason(reason, key, "each item must have at most 255 characters");
        else if (n)
            json_array_append_new(out, json_stringn(s, n));
        s += n;
        if (*s == '|')
            s++;
    }
    return out;
}

static char *dump(const json_t *a)
{
    return json_dumps(a, JSON_COMPACT);
}

static int pager_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 3 || n > CLINICAL_PAGER_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '+' && s[i] != '-')
            return 0;
    return 1;
}

cm_err clinical_user_input_read(const json_t *p, int create, struct clinical_user_input *in,
                                json_t **reason)
{
    json_t *tags, *services = NULL;
    char why[128];

    memset(in, 0, sizeof *in);
    *reason = NULL;
    in->first_name = text(p, "first_name", create, CLINICAL_TEXT_MAX, reason);
    in->last_name = text(p, "last_name", create, CLINICAL_TEXT_MAX, reason);
    in->email = text(p, "email", create, CLINICAL_TEXT_MAX, reason);
    in->specialty = text(p, "specialty", create, CLINICAL_TEXT_MAX, reason);
    in->title = text(p, "title", create, CLINICAL_TEXT_MAX, reason);
    in->user_id = create ? text(p, "user_id", 0, CLINICAL_TEXT_MAX, reason) : NULL;
    in->primary_ou = create ? text(p, "primary_ou", 0, CLINICAL_TEXT_MAX, reason) : NULL;
    in->admin_permissions = text(p, "admin_permissions", 0, 4096, reason);
    in->legal_agreement = text(p, "legal_agreement", 0, CLINICAL_TEXT_MAX, reason);
    in->pager_number = text(p, "pager_number", 0, CLINICAL_TEXT_MAX, reason);
    in->location = text(p, "location", 0, CLINICAL_TEXT_MAX, reason);
    in->location_detail = text(p, "location_detail", 0, CLINICAL_TEXT_MAX, reason);
    if (!in->location_detail) /* the seed spells it "location detail" */
        in->location_detail = text(p, "location detail", 0, CLINICAL_TEXT_MAX, reason);
    in->city = text(p, "city", 0, CLINICAL_TEXT_MAX, reason);
    in->state = text(p, "state", 0, CLINICAL_TEXT_MAX, reason);
    in->zip_code = text(p, "zip_code", 0, CLINICAL_TEXT_MAX, reason);
    flag(p, "sso", &in->sso, reason);
    flag(p, "managed", &in->managed, reason);
    flag(p, "send_activation_email", &in->send_activation_email, reason);
    flag(p, "has_password", &in->has_password, reason);
    in->resend_activation_email = in->update_uid = -1;
    if (clinical_list(p, "services", &services) != 0)
        clinical_reason(reason, "services", "must be a list of service names");
    if (services) {
        size_t i;
        json_t *e;
        json_array_foreach(services, i, e)
            if (!json_string_length(e) || cm_body_utf8_chars(json_string_value(e)) > 255)
                clinical_reason(reason, "services", "service names have 1 to 255 characters");
        in->services = dump(services);
        json_decref(services);
    }
    if (!create) {
        in->account_status = text(p, "account_status", 0, CLINICAL_TEXT_MAX, reason);
        if (in->account_status && strcmp(in->account_status, "active") &&
            strcmp(in->account_status, "inactive"))
            clinical_reason(reason, "account_status", "must be active or inactive");
        if (json_object_get(p, "resend_activation_email")) /* present: True by default */
            if (clinical_flag(p, "resend_activation_email", 1, &in->resend_activation_email))
                clinical_reason(reason, "resend_activation_email", "must be True or False");
        flag(p, "update_uid", &in->update_uid, reason);
        in->clear_bounced = json_object_get(p, "bounced_emails") != NULL;
    }
    if (in->email && in->email[0] &&
        (!strchr(in->email, '@') || strchr(in->email, ' ') || in->email[0] == '@'))
        clinical_reason(reason, "email", "must be an email address");
    if (in->user_id && (!in->user_id[0] || strchr(in->user_id, ':') || strchr(in->user_id, ' ')))
        clinical_reason(reason, "user_id", "must be non-empty, without ':' or spaces");
    if (in->pager_number && !(!create && !strcmp(in->pager_number, "remove")) &&
        in->pager_number[0] && !pager_ok(in->pager_number))
        clinical_reason(reason, "pager_number", "must be 3 to 32 digits, '+' or '-'");
    if (in->admin_permissions) {
        in->permission_ous = json_array();
        if (clinical_permissions_parse(in->admin_permissions, in->permission_ous, why,
                                       sizeof why))
            clinical_reason(reason, "admin_permissions", why);
    }
    in->associated_ous = pipe_list(p, "associated_ou", reason);
    if (in->associated_ous) {
        size_t i, len = 1;
        json_t *e;
        json_array_foreach(in->associated_ous, i, e) len += json_string_length(e) + 1;
        in->associated_ou = calloc(1, len);
        if (in->associated_ou)
            json_array_foreach(in->associated_ous, i, e) {
                if (i)
                    strcat(in->associated_ou, "|");
                strcat(in->associated_ou, json_string_value(e));
            }
    }
    tags = pipe_list(p, "tags", reason);
    if (tags) {
        in->tags = dump(tags);
        json_decref(tags);
    }
    return *reason ? CM_EINVAL : CM_OK;
}

void clinical_user_input_release(struct clinical_user_input *in)
{
    free(in->associated_ou);
    free(in->tags);
    free(in->services);
    json_decref(in->permission_ous);
    json_decref(in->associated_ous);
    memset(in, 0, sizeof *in);
}
