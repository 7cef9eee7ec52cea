/* store_clinical_people.h: messaging's SQL for the clinical profile of the
 * clinical API's users (clinical_users, clinical_user_services). Records in
 * and out; a write and its outbox event commit in the caller's transaction
 * (cm_pg_begin ... cm_pg_end). */
#ifndef MESSAGING_STORE_CLINICAL_PEOPLE_H
#define MESSAGING_STORE_CLINICAL_PEOPLE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One profile; strings owned by the list ("" for none). */
struct clinical_profile_rec {
    const char *user_id, *org_id, *specialty, *title, *associated_ou, *admin_permissions,
        *legal_agreement, *pager_number, *tags, /* JSON array text */
        *location, *location_detail, *city, *state, *zip_code, *status, *status_message,
        *services, /* JSON array text, in the user's order */
        *created_at;
    int sso, managed, has_password, bounced_emails;
};

struct clinical_profile_list {
    size_t n;
    struct clinical_profile_rec *items;
    char *mem;
};

void store_clinical_profile_list_free(struct clinical_profile_list *l);

/* Profiles of the users whose ids are in ids_json (a JSON array of uuids). */
cm_err store_clinical_profiles_get(PGconn *pg, const char *ids_json,
                                   struct clinical_profile_list *out);

/* Profiles of the users of org_id holding service, in user id order. */
cm_err store_clinical_profiles_by_service(PGconn *pg, const char *org_id, const char *service,
                                          struct clinical_profile_list *out);

/* What a create or an update writes; NULL strings and -1 flags leave the
 * column as it is (a create then takes the table's default). */
struct clinical_profile_set {
    const char *specialty, *title, *associated_ou, *admin_permissions, *legal_agreement,
        *pager_number, *tags, *location, *location_detail, *city, *state, *zip_code;
    int sso, managed, has_password; /* -1: unchanged */
    int clear_bounced;              /* 1: bounced_emails = false */
    int activation_sent;            /* 1: activation_sent_at = now() */
};

/* Inserts (create) or updates the profile of user_id (primary OU org_id on
 * insert). CM_ECONFLICT when the pager number is another user's of the OU
 * (or, on create, when the profile exists), CM_ENOTFOUND on update of a
 * missing profile. */
cm_err store_clinical_profile_put(PGconn *pg, const char *user_id, const char *org_id,
                                  const struct clinical_profile_set *s, int create);

/* Replaces the services of user_id (of OU org_id) with services_json (a
 * JSON array of names, in order). CM_ENOTFOUND when one is not a service
 * of the OU. */
cm_err store_clinical_user_services_set(PGconn *pg, const char *user_id, const char *org_id,
                                        const char *services_json);

/* Adds the event evt.messaging.user.<change> for user_id to the outbox
 * (fields: the parameters that changed). */
cm_err store_clinical_user_event(PGconn *pg, const char *user_id, const char *org_id,
                                 const char *change, char **fields, size_t nfields);

#endif
