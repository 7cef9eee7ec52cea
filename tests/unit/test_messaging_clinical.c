/* test_messaging_clinical.c: the pure parts of messaging's clinical API
 * people: admin/users parameters (defaults, reasons, admin_permissions
 * syntax, pipe lists, uid splitting), the OU hierarchy by name, and the
 * seed's user record. */
// links: services/messaging/clinical_people_input.c services/messaging/clinical_body.c services/messaging/clinical_people_json.c services/messaging/clinical_ou.c services/messaging/clinical_identity.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <string.h>

#include "../../services/messaging/clinical_ou.h"
#include "../../services/messaging/clinical_people_input.h"
#include "../../services/messaging/clinical_people_json.h"

static json_t *params(const char *json)
{
    json_t *p = json_loads(json, 0, NULL);
    cr_assert(p != NULL, "bad test JSON %s", json);
    return p;
}

Test(clinical_input, create_needs_the_seed_fields)
{
    struct clinical_user_input in;
    json_t *p = params("{\"first_name\": \"a\"}"), *reason = NULL;

    cr_assert(eq(int, clinical_user_input_read(p, 1, &in, &reason), CM_EINVAL));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(reason, "email")), "Missing value"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(reason, "title")), "Missing value"));
    cr_assert(json_object_get(reason, "first_name") == NULL);
    json_decref(reason);
    clinical_user_input_release(&in);
    json_decref(p);
}

Test(clinical_input, flags_lists_and_defaults)
{
    struct clinical_user_input in;
    json_t *p = params("{\"first_name\": \"a\", \"last_name\": \"b\", \"email\": \"a@b.c\", "
                       "\"specialty\": \"s\", \"title\": \"t\", \"sso\": \"True\", "
                       "\"managed\": false, \"tags\": \"x||y\", \"associated_ou\": [\"o1\", \"o2\"], "
                       "\"admin_permissions\": \"inst-admin:o1+|view-phi:o1/o2\", "
                       "\"location detail\": \"Room 5\", \"services\": \"ER\"}"),
           *reason = NULL;

    cr_assert(eq(int, clinical_user_input_read(p, 1, &in, &reason), CM_OK));
    cr_assert(reason == NULL);
    cr_assert(eq(int, in.sso, 1));
    cr_assert(eq(int, in.managed, 0));
    cr_assert(eq(int, in.send_activation_email, -1)); /* absent: the handler's default */
    cr_assert(eq(str, in.tags, "[\"x\",\"y\"]"));
    cr_assert(eq(str, in.associated_ou, "o1|o2"));
    cr_assert(eq(str, in.services, "[\"ER\"]"));
    cr_assert(eq(str, (char *)in.location_detail, "Room 5"));
    cr_assert(eq(sz, json_array_size(in.permission_ous), 3));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(in.permission_ous, 0)), "o1"));
    clinical_user_input_release(&in);
    json_decref(p);
}

Test(clinical_input, update_special_parameters)
{
    struct clinical_user_input in;
    json_t *p = params("{\"pager_number\": \"remove\", \"account_status\": \"inactive\", "
                       "\"resend_activation_email\": \"True\", \"update_uid\": \"Y\", "
                       "\"bounced_emails\": \"\"}"),
           *reason = NULL;

    cr_assert(eq(int, clinical_user_input_read(p, 0, &in, &reason), CM_OK));
    cr_assert(eq(str, (char *)in.pager_number, "remove"));
    cr_assert(eq(str, (char *)in.account_status, "inactive"));
    cr_assert(eq(int, in.resend_activation_email, 1));
    cr_assert(eq(int, in.update_uid, 1));
    cr_assert(eq(int, in.clear_bounced, 1));
    clinical_user_input_release(&in);
    json_decref(p);
    p = params("{\"pager_number\": \"remove\", \"account_status\": \"gone\", \"sso\": 3}");
    cr_assert(eq(int, clinical_user_input_read(p, 1, &in, &reason), CM_EINVAL));
    cr_assert(json_object_get(reason, "pager_number") != NULL); /* "remove" only on update */
    cr_assert(json_object_get(reason, "sso") != NULL);
    json_decref(reason);
    clinical_user_input_release(&in);
    json_decref(p);
}

Test(clinical_input, permissions_syntax)
{
    json_t *ous = json_array();
    char why[128];

    cr_assert(eq(int, clinical_permissions_parse("inst-admin:cureatr", ous, why, sizeof why), 0));
    cr_assert(eq(int, clinical_permissions_parse("inst-admin:cureatr+", ous, why, sizeof why), 0));
    cr_assert(eq(int,
                 clinical_permissions_parse("inst-admin:cureatr|view-phi:cureatr/kureatr", ous,
                                            why, sizeof why),
                 0));
    cr_assert(eq(sz, json_array_size(ous), 5));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(ous, 4)), "kureatr"));
    cr_assert(eq(int, clinical_permissions_parse("fly:cureatr", ous, why, sizeof why), -1));
    cr_assert(eq(int, clinical_permissions_parse("inst-admin", ous, why, sizeof why), -1));
    cr_assert(eq(int, clinical_permissions_parse("inst-admin:", ous, why, sizeof why), -1));
    cr_assert(eq(int, clinical_permissions_parse("inst-admin:a//b", ous, why, sizeof why), -1));
    cr_assert(eq(int, clinical_permissions_parse("inst-admin:+", ous, why, sizeof why), -1));
    json_decref(ous);
}

Test(clinical_input, uid_split)
{
    char ou[64], user[64];

    cr_assert(eq(int, clinical_uid_split("jdoe@x.co", ou, sizeof ou, user, sizeof user), 0));
    cr_assert(eq(str, ou, ""));
    cr_assert(eq(str, user, "jdoe@x.co"));
    cr_assert(eq(int, clinical_uid_split("cureatr:1234:jdoe", ou, sizeof ou, user, sizeof user), 0));
    cr_assert(eq(str, ou, "cureatr:1234"));
    cr_assert(eq(str, user, "jdoe"));
    cr_assert(eq(int, clinical_uid_split("cureatr:", ou, sizeof ou, user, sizeof user), -1));
    cr_assert(eq(int, clinical_uid_split(":jdoe", ou, sizeof ou, user, sizeof user), -1));
    cr_assert(eq(int, clinical_uid_split("", ou, sizeof ou, user, sizeof user), -1));
}

Test(clinical_ou, hierarchy_by_name)
{
    char parent[64];

    cr_assert(clinical_ou_is_root("cureatr"));
    cr_assert(eq(int, clinical_ou_is_root("cureatr:1234"), 0));
    cr_assert(clinical_ou_within("cureatr:1234", "cureatr"));
    cr_assert(clinical_ou_within("cureatr", "cureatr"));
    cr_assert(clinical_ou_within("cureatr:1234:9", "cureatr:1234"));
    cr_assert(eq(int, clinical_ou_within("cureatrx", "cureatr"), 0));
    cr_assert(eq(int, clinical_ou_within("cureatr", "cureatr:1234"), 0));
    cr_assert(eq(int, clinical_ou_within("anything", ""), 0));
    clinical_ou_parent("cureatr:1234:9", parent, sizeof parent);
    cr_assert(eq(str, parent, "cureatr:1234"));
    clinical_ou_parent("cureatr", parent, sizeof parent);
    cr_assert(eq(str, parent, ""));
}

Test(clinical_json, user_record_has_the_seed_fields)
{
    Identity__ClinicalAccount a = IDENTITY__CLINICAL_ACCOUNT__INIT;
    struct clinical_profile_rec p = {0};
    json_t *u;
    static const char *const keys[] = {
        "acceptance_date", "account_status", "admin_permissions", "app_platform", "app_version",
        "associated_ou", "city", "email", "first_name", "has_password", "has_pin", "id",
        "last_name", "latest_agreement_version", "legal_agreement", "location",
        "location_detail", "managed", "primary_ou", "specialty", "state", "time_created",
        "title", "user_id", "covering_user_id", "services", "status", "status_message",
        "zip_code", "features", "bounced_emails", "reporting_tags", "time_first_login",
        "time_last_activity", NULL};

    a.user_id = "u1";
    a.username = "jdoe@x.co";
    a.email = "jdoe@x.co";
    a.first_name = "John";
    a.last_name = "Doe";
    a.enabled = 0;
    p.user_id = "u1";
    p.org_id = p.specialty = p.title = p.associated_ou = p.admin_permissions = "";
    p.legal_agreement = p.pager_number = p.location = p.location_detail = p.city = "";
    p.state = p.zip_code = p.status_message = p.created_at = "";
    p.status = "available";
    p.tags = "[\"t\"]";
    p.services = "[\"First Floor\", \"Second Floor\"]";
    p.managed = 1;
    u = clinical_user_json(&a, &p, "cureatr");
    for (int i = 0; keys[i]; i++)
        cr_assert(json_object_get(u, keys[i]) != NULL, "missing %s", keys[i]);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(u, "managed")), "Y"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(u, "has_password")), ""));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(u, "account_status")), "inactive"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(u, "primary_ou")), "cureatr"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(u, "user_id")), "jdoe@x.co"));
    cr_assert(eq(sz, json_array_size(json_object_get(u, "services")), 2));
    cr_assert(eq(sz, json_array_size(json_object_get(u, "reporting_tags")), 1));
    json_decref(u);
}
