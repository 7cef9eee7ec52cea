/* store_orgs.h: identity's SQL for organizations (tenants) and memberships
 * (user_organizations): the visible, filtered list of #101, one
 * organization, create (with its default roles), update, and adding and
 * removing members. All parameterized; nothing here knows about NATS or
 * HTTP. Writes that go with an event run inside the caller's transaction
 * (cm_pg_begin, store.h). */
#ifndef IDENTITY_STORE_ORGS_H
#define IDENTITY_STORE_ORGS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "store.h"

#define ORG_TIME_LEN STORE_TIME_LEN

/* Which organizations (and what hangs off them) a caller sees. Exactly one
 * way applies: all (the platform admin), those user member_of belongs to
 * (a user), or only_org (an API client's own). Strings are uuids or "". */
struct org_scope {
    int all;
    char member_of[40];
    char only_org[40];
};

/* SQL condition: the organization whose id is column col is visible under
 * the scope given as parameters a (all, bool), b (only_org, uuid) and c
 * (member_of, uuid), e.g. STORE_ORG_VISIBLE("o.id", "$1", "$2", "$3"). */
#define STORE_ORG_VISIBLE(col, a, b, c)                                                            \
    "(" a "::bool OR " col " = " b "::uuid OR EXISTS (SELECT 1 FROM user_organizations sv "        \
    "WHERE sv.organization_id = " col " AND sv.user_id = " c "::uuid))"

/* The three parameter values of STORE_ORG_VISIBLE for s, into v[0..2]
 * (borrowed from s; NULL for SQL NULL). */
void store_scope_params(const struct org_scope *s, const char *v[3]);

/* One organization, strings owned by the list holding the record ("" for
 * SQL NULL, never NULL). Times are RFC 3339 UTC. */
struct org_rec {
    const char *id;
    const char *name;
    const char *display_name;
    const char *classification;
    const char *provider_type;
    const char *authorization_type;
    const char *timezone;
    const char *theme_id;
    const char *logo_url;
    const char *last_modified_time;
    const char *occurred_at; /* the transaction's now(), for events */
    int is_active;
};

/* Organizations read (release with store_org_list_free; a zeroed list is
 * empty). The functions returning one organization put it in items[0]. */
struct org_list {
    size_t n;
    struct org_rec *items;
    char *mem;
};

void store_org_list_free(struct org_list *l);

/* A parsed list request (#101); strings "" when not given. */
struct org_list_query {
    struct org_scope scope;
    char name[1024];                    /* equal */
    char name_contains[1024];           /* substring, case-insensitive */
    char modified_before[ORG_TIME_LEN]; /* last-modified-time < this */
    char modified_after[ORG_TIME_LEN];  /* last-modified-time > this */
    int include_inactive;
    long limit;
    long offset;
};

/* The visible organizations matching q, by name then id, one page. */
cm_err store_orgs_list(PGconn *pg, const struct org_list_query *q, struct org_list *out);

/* Organization id (a uuid) when scope sees it (scope NULL: any). CM_ENOTFOUND
 * when there is none or it is not visible. */
cm_err store_org_get(PGconn *pg, const char *id, const struct org_scope *scope,
                     struct org_list *out);

/* Attributes of create (#102) and update (#104); NULL = not given. */
struct org_fields {
    const char *name;
    const char *display_name; /* create: name when not given */
    const char *classification;
    const char *provider_type;
    const char *authorization_type;
    const char *timezone;
    int theme_given;      /* theme_id is to be set */
    const char *theme_id; /* a uuid, or "" for none */
};

/* Inserts an organization with f (name required) and its default roles
 * "admin" ("Organization admin"), "provider" and "patient". The new one to
 * *out. CM_ECONFLICT when the name is taken. */
cm_err store_org_create(PGconn *pg, const struct org_fields *f, struct org_list *out);

/* Applies f to organization id and bumps last_modified_time; the updated
 * one to *out. CM_ECONFLICT when the new name is taken, CM_ENOTFOUND when
 * there is no such organization. */
cm_err store_org_update(PGconn *pg, const char *id, const struct org_fields *f,
                        struct org_list *out);

/* --- memberships --- */

/* A user found by store_user_find. */
struct user_ref {
    char id[40];
    char email[1024];
};

/* The user with id user_id (a uuid, or "" when not given) and/or whose
 * username or email is email (case-insensitive; "" when not given); when
 * both are given they must name the same user. When member_of is not "",
 * only members of that organization are found. CM_ENOTFOUND when none,
 * CM_ECONFLICT when email names several users. */
cm_err store_user_find(PGconn *pg, const char *user_id, const char *email, const char *member_of,
                       struct user_ref *out);

/* Sets *yes to whether user belongs to org. */
cm_err store_is_member(PGconn *pg, const char *user, const char *org, int *yes);

/* Makes user a member of org; *added is 0 when it already was. A user
 * without a default organization gets this one. CM_ENOTFOUND when either
 * does not exist. */
cm_err store_membership_add(PGconn *pg, const char *user, const char *org, int *added);

/* A role taken from a user with its membership ("" for SQL NULL). */
struct removed_role_rec {
    const char *role_id;
    const char *role_name;
};

/* Roles taken (release with store_removed_roles_free; zeroed is empty). */
struct removed_roles {
    size_t n;
    struct removed_role_rec *items;
    char *mem;
};

void store_removed_roles_free(struct removed_roles *l);

/* Removes user from org together with the user's roles there; the roles
 * removed go to *roles (empty unless CM_OK), and *removed is 0 when user
 * was not a member. A default organization that is left is replaced by the
 * user's oldest remaining one (or none). */
cm_err store_membership_remove(PGconn *pg, const char *user, const char *org, int *removed,
                               struct removed_roles *roles);

/* A parsed user-organizations list request (#142). Visibility: all, the
 * memberships of self_user, and those of admin_org (uuids or ""). */
struct membership_query {
    int all;
    char self_user[40];
    char admin_org[40];
    char user[40]; /* filters, "" when not given */
    char org[40];
    long limit;
    long offset;
};

/* One membership with its organization ("" for SQL NULL; strings owned by
 * the list holding the record). */
struct membership_rec {
    const char *user_id;
    const char *organization_id;
    const char *organization_name;
    const char *organization_display_name;
    long organization_count; /* how many organizations the user belongs to */
};

/* Memberships read (release with store_membership_list_free; a zeroed list
 * is empty). */
struct membership_list {
    size_t n;
    struct membership_rec *items;
    char *mem;
};

void store_membership_list_free(struct membership_list *l);

/* The visible memberships matching q, by organization name then user id. */
cm_err store_memberships_list(PGconn *pg, const struct membership_query *q,
                              struct membership_list *out);

/* The one membership of user in org: out->items[0]. CM_ENOTFOUND when there
 * is none (out then empty). */
cm_err store_membership_get(PGconn *pg, const char *user, const char *org,
                            struct membership_list *out);

#endif
