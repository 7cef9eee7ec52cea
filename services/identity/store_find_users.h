/* store_find_users.h: the members of one organization named by email,
 * username or id, for identity.rpc.FindUsers (find_users_rpc.c). The only
 * place with its SQL; the caller gets records. */
#ifndef IDENTITY_STORE_FIND_USERS_H
#define IDENTITY_STORE_FIND_USERS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One member matched, with the organization's id and name; roles is a JSON
 * array text of the member's role names there. All borrowed from the list. */
struct found_user_rec {
    const char *org_id;
    const char *org_name;
    const char *id; /* "" on the one row of an organization where nobody matched */
    const char *username;
    const char *email;
    const char *first_name;
    const char *last_name;
    int enabled;
    const char *roles;
};

struct found_user_list {
    size_t n;
    struct found_user_rec *items;
    char *mem;
};

/* The organization org_id (a uuid), or when it is "" the one named
 * org_name, with its members matching any of the JSON array texts emails
 * (case-insensitive), usernames and ids. CM_ENOTFOUND when there is no such
 * organization; otherwise at least one row (id "" when nobody matched).
 * Release with store_found_users_free. */
cm_err store_find_users(PGconn *pg, const char *org_id, const char *org_name,
                        const char *emails_json, const char *usernames_json, const char *ids_json,
                        struct found_user_list *out);

void store_found_users_free(struct found_user_list *l);

#endif
