/* clinical_people_input.h: the parameters of POST and PUT
 * /api/2015-02-01/admin/users read into a plain struct and checked, with
 * every invalid parameter named in a "reason" object (the seed's 400
 * shape). Pure: no database, no NATS; unit-tested. */
#ifndef MESSAGING_CLINICAL_PEOPLE_INPUT_H
#define MESSAGING_CLINICAL_PEOPLE_INPUT_H

#include <jansson.h>

#include "cm_err.h"

#define CLINICAL_TEXT_MAX 255  /* characters of a text parameter */
#define CLINICAL_PAGER_MAX 32

/* Absent strings are NULL; absent flags -1. Strings are borrowed from the
 * parameters object, except the JSON texts (tags, services) and the joined
 * associated_ou, owned here (clinical_user_input_release). */
struct clinical_user_input {
    const char *first_name, *last_name, *email, *specialty, *title, *user_id, *primary_ou;
    const char *admin_permissions, *legal_agreement, *pager_number, *location,
        *location_detail, *city, *state, *zip_code, *account_status;
    char *associated_ou; /* pipe-delimited names */
    char *tags;          /* JSON array text */
    char *services;      /* JSON array text */
    json_t *permission_ous; /* names the admin_permissions scopes name (array) */
    json_t *associated_ous; /* names of associated_ou (array) */
    int sso, managed, send_activation_email, has_password;
    int resend_activation_email, update_uid, clear_bounced; /* update only */
};

/* Reads p (create: POST, else PUT) into in. CM_OK, or CM_EINVAL with
 * *reason an object of parameter → "Missing value" / what is wrong
 * (caller json_decref). Release in either way. */
cm_err clinical_user_input_read(const json_t *p, int create, struct clinical_user_input *in,
                                json_t **reason);

void clinical_user_input_release(struct clinical_user_input *in);

/* Checks admin_permissions text s ("<action>:<scope>|...", scope "OU",
 * "OU+" or several joined by "/"), appending each scope's OU name to ous.
 * Returns 0, or -1 with why (cap bytes) for a bad one. */
int clinical_permissions_parse(const char *s, json_t *ous, char *why, size_t cap);

/* Splits uid ("user_id" or "ou:user_id", split at the last ':') into ou
 * ("" when none, ou_cap bytes) and user (user_cap bytes). Returns -1 for an
 * empty user part or parts too long. */
int clinical_uid_split(const char *uid, char *ou, size_t ou_cap, char *user, size_t user_cap);

#endif
