/* store_roles.h: identity's SQL for roles (each belongs to one
 * organization) and role_users (who holds which role). All parameterized;
 * writes that go with an event run inside the caller's transaction. */
#ifndef IDENTITY_STORE_ROLES_H
#define IDENTITY_STORE_ROLES_H

#include <libpq-fe.h>

#include "cm_err.h"
#include "store_orgs.h"

/* One role with its organization; strings borrowed from the PGresult ("" for
 * SQL NULL). */
struct role_rec {
    const char *id;
    const char *name;
    const char *display_name;
    const char *organization_id;
    const char *organization_name;
    const char *organization_display_name;
    const char *occurred_at; /* the transaction's now(), for events */
};

/* Points out's strings into row of res (a result of the functions below). */
void store_role_row(const PGresult *res, int row, struct role_rec *out);

/* The roles of the organizations scope sees, narrowed by name and org ("" when
 * not given), by organization name then role name (caller PQclear). */
cm_err store_roles_list(PGconn *pg, const struct org_scope *scope, const char *name,
                        const char *org, long limit, long offset, PGresult **out);

/* Role id (a uuid) when scope sees its organization; one row to *out (caller
 * PQclear). CM_ENOTFOUND otherwise. */
cm_err store_role_get(PGconn *pg, const char *id, const struct org_scope *scope, PGresult **out);

/* How many distinct names of names_json (a JSON array of strings) are
 * roles of organization org, to *found. */
cm_err store_roles_count_named(PGconn *pg, const char *org, const char *names_json, long *found);

/* Gives user role; the role_users id to id_out (24 bytes) and *added 0 when
 * the user already had it (id_out then names the existing row). */
cm_err store_role_user_add(PGconn *pg, const char *role, const char *user, int *added,
                           char *id_out);

/* Takes role from user; *removed 0 when the user did not hold it. */
cm_err store_role_user_remove(PGconn *pg, const char *role, const char *user, int *removed);

/* The holders of role, by user email then id, one page (caller PQclear;
 * columns id, role_id, role_name, user_id, user_email). */
cm_err store_role_users_list(PGconn *pg, const char *role, long limit, long offset, PGresult **out);

#endif
