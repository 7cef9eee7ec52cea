/* clinical_people_json.c: the seed's user record (clinical_people_json.h). */
#include "clinical_people_json.h"

static const char *yn(int v)
{
    return v ? "Y" : "";
}

static json_t *array_of(const char *text)
{
    json_t *a = json_loads(text, 0, NULL);

    if (!json_is_array(a)) {
        json_decref(a);
        a = json_array();
    }
    return a;
}

json_t *clinical_user_json(const Identity__ClinicalAccount *a, const struct clinical_profile_rec *p,
                           const char *ou)
{
    json_t *u = json_object();

    json_object_set_new(u, "acceptance_date", json_string(""));
    json_object_set_new(u, "account_status", json_string(a->enabled ? "" : "inactive"));
    json_object_set_new(u, "admin_permissions", json_string(p->admin_permissions));
    json_object_set_new(u, "app_platform", json_string(""));
    json_object_set_new(u, "app_version", json_string(""));
    json_object_set_new(u, "associated_ou", json_string(p->associated_ou));
    json_object_set_new(u, "bounced_emails", json_string(yn(p->bounced_emails)));
    json_object_set_new(u, "city", json_string(p->city));
    json_object_set_new(u, "covering_user_id", json_string(""));
    json_object_set_new(u, "email", json_string(a->email));
    json_object_set_new(u, "features", json_string(""));
    json_object_set_new(u, "first_name", json_string(a->first_name));
    json_object_set_new(u, "has_password", json_string(yn(p->has_password || a->has_password)));
    json_object_set_new(u, "has_pin", json_string(""));
    json_object_set_new(u, "id", json_string(a->user_id));
    json_object_set_new(u, "last_name", json_string(a->last_name));
    json_object_set_new(u, "latest_agreement_version", json_string(""));
    json_object_set_new(u, "legal_agreement", json_string(p->legal_agreement));
    json_object_set_new(u, "location", json_string(p->location));
    json_object_set_new(u, "location_detail", json_string(p->location_detail));
    json_object_set_new(u, "managed", json_string(yn(p->managed)));
    json_object_set_new(u, "pager_number", json_string(p->pager_number));
    json_object_set_new(u, "primary_ou", json_string(ou));
    json_object_set_new(u, "reporting_tags", array_of(p->tags));
    json_object_set_new(u, "services", array_of(p->services));
    json_object_set_new(u, "specialty", json_string(p->specialty));
    json_object_set_new(u, "sso", json_string(yn(p->sso)));
    json_object_set_new(u, "state", json_string(p->state));
    json_object_set_new(u, "status", json_string(p->status));
    json_object_set_new(u, "status_message", json_string(p->status_message));
    json_object_set_new(u, "time_created", json_string(p->created_at));
    json_object_set_new(u, "time_first_login", json_string(""));
    json_object_set_new(u, "time_last_activity", json_string(""));
    json_object_set_new(u, "title", json_string(p->title));
    json_object_set_new(u, "user_id", json_string(a->username));
    json_object_set_new(u, "zip_code", json_string(p->zip_code));
    return u;
}
