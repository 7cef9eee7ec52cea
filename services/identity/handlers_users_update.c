/* handlers_users_update.c: changes to a user's profile: PATCH (#148) and
 * confirm-phone (#151). The user themselves or an admin of the user; each
 * change publishes UserChanged "updated". A new email is not applied here:
 * it stays pending until verified (handlers_users_email.c). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"

#define ATTR "/data/attributes"

static const char *const channels[] = {"email", "mobile", "sms", "voice", "web", NULL};

/* The attributes of a PATCH, read and checked; json text owned here. */
struct patch_in {
    struct user_patch p; /* p.email stays NULL: the email goes to ec */
    struct users_email_change ec;
    int others;          /* attributes besides email */
    char *comm_prefs;
    char default_org[CM_UUID_LEN + 1];
};

/* communication-preferences: an object whose members are channels, each an
 * object; its compact text to *out (caller frees). */
static cm_err read_comm_prefs(struct cm_req *rq, const json_t *attrs, char **out)
{
    const json_t *v = json_object_get(attrs, "communication-preferences");
    const char *key;
    json_t *value;

    *out = NULL;
    if (!v || json_is_null(v))
        return CM_OK;
    if (!json_is_object(v))
        return cm_fail_at(rq, CM_EINVAL, ATTR "/communication-preferences", NULL,
                          "communication-preferences must be an object");
    json_object_foreach((json_t *)v, key, value)
    {
        int known = 0;
        for (const char *const *c = channels; *c && !known; c++)
            known = !strcmp(*c, key);
        if (!known || !json_is_object(value))
            return cm_fail_at(rq, CM_EINVAL, ATTR "/communication-preferences", NULL,
                              "communication-preferences has objects email, mobile, sms, "
                              "voice and web");
    }
    *out = json_dumps(v, JSON_COMPACT);
    return *out ? CM_OK : CM_ENOMEM;
}

static cm_err read_patch(struct cm_req *rq, const json_t *attrs, struct patch_in *in)
{
    struct user_patch *p = &in->p;
    cm_err err;

    err = cm_json_str(rq, attrs, ATTR, "classification", 0, 0, 32, &p->classification);
    if (err == CM_OK && p->classification && strcmp(p->classification, "carium") &&
        strcmp(p->classification, "customer") && strcmp(p->classification, "customer_test"))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/classification", NULL,
                         "classification must be carium, customer or customer_test");
    if (err == CM_OK && p->classification && !cm_principal_platform_admin(rq))
        err = cm_fail_at(rq, CM_EDENIED, ATTR "/classification", NULL,
                         "only the platform admin sets classification");
    if (err == CM_OK)
        err = read_comm_prefs(rq, attrs, &in->comm_prefs);
    p->comm_prefs = in->comm_prefs;
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "default-organization-id", 0, in->default_org);
    p->default_org = err == CM_OK && in->default_org[0] ? in->default_org : NULL;
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "email", 0, 0, 255, &p->email);
    if (err == CM_OK && p->email && !users_email_valid(p->email))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/email", NULL, "email must be an email address");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "first-name", 0, 1, 255, &p->first_name);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "last-name", 0, 1, 255, &p->last_name);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "locale", 0, 0, 16, &p->locale);
    if (err == CM_OK && p->locale && !users_locale_valid(p->locale))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/locale", NULL, "locale must look like en_US");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "phone", 0, 1, 30, &p->phone);
    if (err == CM_OK && p->phone && p->phone[0] && !users_e164_valid(p->phone))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/phone", NULL,
                         "phone must be an E.164 number (+ and 7 to 15 digits) or empty");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "tz", 0, 0, 64, &p->tz);
    if (err == CM_OK && p->tz && store_tz_valid(rq->w->pg, p->tz) != CM_OK)
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/tz", NULL, "tz must be a time zone name");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "username", 0, 0, 255, &p->username);
    if (err == CM_OK && p->username && !users_username_valid(p->username))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/username", NULL,
                         "username must not contain spaces");
    return err;
}

/* users_change's write for PATCH: ctx is a patch_in. */
static cm_err write_patch(struct cm_req *rq, const char *id, void *ctx)
{
    struct patch_in *in = ctx;
    const struct user_patch *p = &in->p;
    cm_err err = in->others ? store_user_patch(rq->w->pg, id, p) : CM_OK;

    if (err == CM_ECONFLICT)
        return cm_fail_at(rq, err, ATTR "/username", NULL, "username is taken");
    if (err == CM_EINVAL && p->default_org)
        return cm_fail_at(rq, err, ATTR "/default-organization-id", NULL,
                          "default-organization-id must be one of the user's organizations");
    if (err == CM_OK && in->ec.email)
        err = users_email_change_begin(rq, id, &in->ec);
    return err;
}

cm_err users_update(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {
        "classification", "communication-preferences", "default-organization-id", "email",
        "first-name",     "last-name",                 "locale",                  "phone",
        "tz",             "username",                  NULL};
    struct users_access a;
    struct patch_in in = {0};
    json_t *doc = NULL, *attrs = NULL;
    cm_err err = users_access(rq, &a);

    if (err == CM_OK)
        err = users_require_write(rq, &a, 1);
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "users", a.id, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = read_patch(rq, attrs, &in);
    if (err == CM_OK) {
        /* the new email waits for its code; the rest applies now */
        in.ec.email = in.p.email;
        in.p.email = NULL;
        in.others = json_object_size(attrs) > (in.ec.email ? 1u : 0u);
    }
    if (err == CM_OK && (in.others || in.ec.email))
        err = users_change(rq, &a, write_patch, &in, in.others ? "updated" : NULL, NULL);
    if (err == CM_OK)
        users_email_change_mail(rq, &in.ec);
    if (err == CM_OK)
        err = users_respond(rq, out, &a, 200, 0, "");
    sodium_memzero(in.ec.code, sizeof in.ec.code);
    free(in.comm_prefs);
    json_decref(doc);
    return err;
}

static cm_err write_phone(struct cm_req *rq, const char *id, void *ctx)
{
    return store_user_confirm_phone(rq->w->pg, id, ctx);
}

cm_err users_confirm_phone(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"phone-number", NULL};
    struct users_access a;
    const char *phone = NULL;
    json_t *body = NULL;
    cm_err err = users_begin_write(rq, allowed, &a, &body);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "phone-number", 1, 0, 30, &phone);
    if (err == CM_OK && !users_e164_valid(phone))
        err = cm_fail_at(rq, CM_EINVAL, "/phone-number", NULL,
                         "phone-number must be an E.164 number (+ and 7 to 15 digits)");
    if (err == CM_OK)
        err = users_change(rq, &a, write_phone, (void *)phone, "updated", NULL);
    if (err == CM_OK)
        users_respond_null(rq, out);
    json_decref(body);
    return err;
}
