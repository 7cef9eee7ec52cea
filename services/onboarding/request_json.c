/* request_json.c: onboarding requests as JSON (request_json.h). */
#include "request_json.h"

#include <string.h>

#include "cm_jsonapi.h"

/* JSON text as a value; def (stolen) when empty or invalid. */
static json_t *text_or(const char *text, json_t *def)
{
    json_t *v = text && text[0] ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

    if (v) {
        json_decref(def);
        return v;
    }
    return def;
}

json_t *request_resource(const struct req_rec *r)
{
    json_t *a = json_object();

    json_object_set_new(a, "account-step", json_string(r->account_step));
    json_object_set_new(a, "auto-confirm", json_boolean(r->auto_confirm));
    json_object_set_new(a, "auto-sign-up", json_boolean(r->auto_sign_up));
    json_object_set_new(a, "claimed-by", cm_json_str_or_null(r->claimed_by));
    json_object_set_new(a, "claimed-time", cm_json_str_or_null(r->claimed_time));
    json_object_set_new(a, "code", json_string(r->code));
    json_object_set_new(a, "communication-preferences",
                        text_or(r->communication_preferences, json_null()));
    json_object_set_new(a, "created-by", cm_json_str_or_null(r->created_by));
    json_object_set_new(a, "created-time", json_string(r->created_time));
    json_object_set_new(a, "done", json_boolean(!strcmp(r->status, "claimed")));
    json_object_set_new(a, "email-dsn", text_or(r->email_dsn, json_null()));
    json_object_set_new(a, "individual-group-ids", text_or(r->individual_group_ids, json_array()));
    json_object_set_new(a, "last-invite",
                        json_pack("{s:o, s:o}", "email", text_or(r->last_invite_email, json_null()),
                                  "sms", text_or(r->last_invite_sms, json_null())));
    json_object_set_new(a, "notifications", text_or(r->notifications, json_array()));
    json_object_set_new(a, "onboard-type", json_string(r->onboard_type));
    json_object_set_new(a, "organization", json_string(r->organization_id));
    json_object_set_new(a, "patient", cm_json_str_or_null(r->patient));
    json_object_set_new(a, "patient-email", cm_json_str_or_null(r->patient_email));
    json_object_set_new(a, "phone-number", cm_json_str_or_null(r->phone_number));
    json_object_set_new(a, "provider-roles", text_or(r->provider_roles, json_array()));
    json_object_set_new(a, "registering-time", json_null());
    json_object_set_new(a, "status", json_string(r->status));
    json_object_set_new(a, "username", cm_json_str_or_null(r->username));
    return cm_jsonapi_resource(REQ_TYPE, r->id, a);
}

json_t *request_info_resource(const struct req_rec *r, const char *display_name)
{
    return cm_jsonapi_resource(
        "onboarding-info", r->id,
        json_pack("{s:{s:b, s:s}, s:{s:o, s:s}}", "onboarding-request", "done",
                  !strcmp(r->status, "claimed"), "status", r->status, "organization",
                  "display-name", cm_json_str_or_null(display_name), "id", r->organization_id));
}

json_t *invitation_resource(const struct inv_rec *i)
{
    json_t *a = json_object();

    json_object_set_new(a, "claimed-by", cm_json_str_or_null(i->claimed_by));
    json_object_set_new(a, "claimed-time", cm_json_str_or_null(i->claimed_time));
    json_object_set_new(a, "code", json_string(i->code));
    json_object_set_new(a, "created-by", cm_json_str_or_null(i->created_by));
    json_object_set_new(a, "created-time", json_string(i->created_time));
    json_object_set_new(a, "invited-email", json_string(i->invited_email));
    json_object_set_new(a, "last-invite", text_or(i->last_invite, json_null()));
    json_object_set_new(a, "organization-id", json_string(i->organization_id));
    return cm_jsonapi_resource(INV_TYPE, i->id, a);
}
