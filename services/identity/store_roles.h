/* store_roles.h: identity's SQL for roles (each belongs to one
 * organization) and role_users (who holds which role). All parameterized;
 * writes that go with an event run inside the caller's transaction. */
#ifndef IDENTITY_STORE_ROLES_H
#define IDENTITY_STORE_ROLES_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "store_orgs.h"

/* One role with its organization; strings "" for SQL NULL, owned by the list
 * holding the record. */
struct role_rec {
    const char *id;
    const char *name;
    const char *display_name;
    const char *organization_id;
    const char *organization_name;
    const char *organization_display_name;
    const char *occurred_at; /* the transaction's now(), for events */
};

/* Roles read (release with store_role_list_free; a zeroed list is empty). */
struct role_list {
    size_t n;
    struct role_rec *items;
    char *mem;
};

void store_role_list_free(struct role_list *l);

/* The roles of the organizations scope sees, narrowed by name and org ("" when
 * not given), by organization name then role name. */
cm_err store_roles_list(PGconn *pg, const struct org_scope *scope, const char *name,
                        const char *org, long limit, long offset, struct role_list *out);

/* Role id (a uuid) when scope sees its organization: out->items[0].
 * CM_ENOTFOUND otherwise (out then empty). */
cm_err store_role_get(PGconn *pg, const char *id, const struct org_scope *scope,
                      struct role_list *out);

/* The role named name of organization org (a uuid): out->items[0].
 * CM_ENOTFOUND when org has no such role (out then empty). */
cm_err store_role_named(PGconn *pg, const char *org, const char *name, struct role_list *out);

/* How many distinct names of names_json (a JSON array of strings) are
 * roles of organization org, to *found. */
cm_err store_roles_count_named(PGconn *pg, const char *org, const char *names_json, long *found);

/* Gives user role; the role_users id to id_out (24 bytes) and *added 0 when
 * the user already had it (id_out then names the existing row). */
cm_err store_role_user_add(PGconn *pg, const char *role, const char *user, int *added,
                           char *id_out);

/* Takes role from user; *removed 0 when the user did not hold it. */
cm_err store_role_user_remove(PGconn *pg, const char *role, const char *user, int *removed);

/* One holder of a role (role_users row; id is an integer in text). */
struct role_user_rec {
    const char *id;
    const char *role_id;
    const char *role_name;
    const char *user_id;
    const char *user_email;
};

struct role_user_list {
    size_t n;
    struct role_user_rec *items;
    char *mem;
};

void store_role_user_list_free(struct role_user_list *l);

/* The holders of role, by user email then id, one page. */
cm_err store_role_users_list(PGconn *pg, const char *role, long limit, long offset,
                             struct role_user_list *out);

#endif
