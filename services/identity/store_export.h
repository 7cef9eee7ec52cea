/* store_export.h: the SQL of identity.rpc.ExportUsers (export_rpc.h): one
 * page of users in id order with their memberships and, per membership, the
 * names of their roles in that organization, as records. */
#ifndef IDENTITY_STORE_EXPORT_H
#define IDENTITY_STORE_EXPORT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One organization of an exported user and the user's roles in it (names in
 * name order). */
struct export_membership_rec {
    char *organization_id;
    char **role_names;
    size_t n_role_names;
};

/* One exported user; memberships in organization id order. */
struct export_user_rec {
    char *id, *username, *email, *first_name, *last_name;
    int enabled, platform_admin;
    struct export_membership_rec *memberships;
    size_t n_memberships;
};

/* A page of users; every string is owned by the page
 * (store_export_page_release). */
struct export_page {
    struct export_user_rec *users;
    size_t n;
};

/* Reads up to limit users after after_id (a uuid, or NULL from the start)
 * into out (caller store_export_page_release, also after an error). Through
 * cm_pg_query: retried once on a lost connection. cm_pg_result_err's
 * errors. */
cm_err store_export_page(PGconn *pg, const char *after_id, unsigned limit,
                         struct export_page *out);

/* As store_export_page, for the members of organization org (a uuid) only,
 * each with that one membership: what an organization's export needs, and no
 * more (messaging's GET admin/users). In user id order after after_id. */
cm_err store_export_page_of(PGconn *pg, const char *org, const char *after_id, unsigned limit,
                            struct export_page *out);

/* Frees what a page holds and empties it; an empty page is a no-op. */
void store_export_page_release(struct export_page *page);

#endif
