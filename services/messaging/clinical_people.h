/* clinical_people.h: the clinical messaging API's user operations owned by
 * this file set: POST admin/users, GET and PUT admin/users/{uid}
 * (clinical_people.c, clinical_people_update.c) and GET user/search
 * (clinical_people_search.c); and the lookup of a user by the seed's uid
 * that they share. */
#ifndef MESSAGING_CLINICAL_PEOPLE_H
#define MESSAGING_CLINICAL_PEOPLE_H

#include "clinical_ou.h"
#include "cm_service.h"
#include "identity.pb-c.h"
#include "store_clinical_people.h"

/* POST /api/2015-02-01/admin/users */
cm_err clinical_users_create(struct cm_req *rq, struct cm_resp *out);
/* GET /api/2015-02-01/admin/users/{uid} */
cm_err clinical_users_read(struct cm_req *rq, struct cm_resp *out);
/* PUT /api/2015-02-01/admin/users/{uid} */
cm_err clinical_users_update(struct cm_req *rq, struct cm_resp *out);
/* GET /api/2016-10-01/user/search?service= */
cm_err clinical_users_search(struct cm_req *rq, struct cm_resp *out);

/* One clinical user found for a request. */
struct clinical_found {
    Identity__ClinicalGetAccountsReply *accounts; /* items[0] is the user */
    struct clinical_profile_list profile;         /* items[0] */
    struct clinical_ou ou;                        /* the primary OU */
    int no_profile; /* 1: a /v1 person of the OU, profile not written yet (defaults) */
};

/* Finds the user that uid names ("user_id" or "ou:user_id") for caller:
 * 404 "user [uid] not found" (recorded in rq) when there is none, it is
 * not in the named OU (a /v1 account without a clinical profile is in its
 * default organization's OU, no_profile set) or the caller does not
 * reach its OU; 403 "not authorized" when manage and the caller does not
 * administer it. Release with clinical_found_release. */
cm_err clinical_find_user(struct cm_req *rq, const struct clinical_caller *caller, const char *uid,
                          int manage, struct clinical_found *out);

/* The user whose email is email in the OUs caller reaches (uid's OU when
 * ou is not ""): as clinical_find_user, 404 naming email. */
cm_err clinical_find_user_by_email(struct cm_req *rq, const struct clinical_caller *caller,
                                   const char *ou, const char *email, struct clinical_found *out);

void clinical_found_release(struct clinical_found *f);

/* Checks the OU names a user's parameters name (admin_permissions scopes,
 * associated_ou): each must exist, and a permission's must be reached by
 * the caller; a reason entry for each that is not. */
cm_err clinical_check_ous(struct cm_req *rq, const struct clinical_caller *caller,
                          const json_t *permission_ous, const json_t *associated_ous,
                          json_t **reason);

struct clinical_user_input;

/* Writes a user's profile (create or update), services and its event
 * evt.messaging.user.<created|updated> (fields: the names in params) in
 * one transaction. A taken pager number or an unknown service is answered
 * here as a 400 with reason (*answered set, CM_OK returned). */
cm_err clinical_profile_write(struct cm_req *rq, struct cm_resp *out, const char *user_id,
                              const char *org_id, const struct clinical_user_input *in,
                              const json_t *params, int create, int activation, int *answered);

/* Sends the activation email of account a of OU ou (kind and template type
 * "clinical-activation": ou's template, else the default;
 * clinical_templates.h); a failure is logged, not returned: the change it
 * follows stays. */
void clinical_send_activation(struct cm_req *rq, const Identity__ClinicalAccount *a,
                              const struct clinical_ou *ou);

#endif
