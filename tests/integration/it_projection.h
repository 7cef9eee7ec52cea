/* it_projection.h: what the suites of authz's projection of identity share
 * (authz_projection, zz_authz_catchup): reading authz's tables on
 * TEST_PG_URL until they say what a test expects, identity's role ids and
 * membership bodies, GET /v1/authz-user-status/{id}/, and
 * authz.rpc.Repopulate. Each asserts its own success. */
#ifndef IT_PROJECTION_H
#define IT_PROJECTION_H

#include <jansson.h>

#include "authz.pb-c.h"
#include "harness.h"

#define AP_WAIT_MS 5000 /* how long an identity change may take to reach authz */

/* First column of the first row of sql (text parameters) on TEST_PG_URL as
 * a new string (caller frees), NULL for SQL NULL or no row. */
char *ap_sql(const char *sql, int n, const char *const *params);

/* Polls sql until its value equals want (NULL: SQL NULL or no row), at most
 * timeout_ms; asserts it did, naming what in the failure. */
void ap_wait_sql(const char *what, const char *sql, int n, const char *const *params,
                 const char *want, double timeout_ms);

/* Count of rows of authz.memberships for (user, org) as text, and of
 * authz.user_roles for (user, org, role). */
#define AP_MEMBERSHIP_SQL                                                                          \
    "SELECT count(*) FROM authz.memberships WHERE user_id = $1::uuid AND organization_id = "       \
    "$2::uuid"
#define AP_ROLE_SQL                                                                                \
    "SELECT count(*) FROM authz.user_roles WHERE user_id = $1::uuid AND organization_id = "        \
    "$2::uuid "                                                                                    \
    "AND role_name = $3"
#define AP_USER_SQL "SELECT enabled::text FROM authz.users WHERE id = $1::uuid"

/* The id of role name of org (37 bytes), read with token. */
void ap_role_id(const char *token, const char *org, const char *name, char *out);

/* POST /v1/organizations/{org}/<action>/ ("add-user", "remove-user") for
 * user with role_id (NULL: none) as token; asserts 201. */
void ap_org_member(const char *token, const char *org, const char *action, const char *user,
                   const char *role_id);

/* POST /v1/role-users/ giving user role_id as token; asserts 201. */
void ap_give_role(const char *token, const char *user, const char *role_id);

/* GET /v1/authz-user-status/{id}/ as token (NULL: none); the status, and on
 * 200 the attributes into *attrs (caller json_decref) when attrs is not
 * NULL, after checking the type and id. */
long ap_status(const char *token, const char *id, json_t **attrs);

/* Polls the status of id as token until up-to-date is want (0 or 1), at
 * most timeout_ms. Returns 1 when it was. */
int ap_wait_up_to_date(const char *token, const char *id, int want, double timeout_ms);

/* authz.rpc.Repopulate; its reply code, the reply into *out on success
 * (caller authz__repopulate_reply__free_unpacked). */
int ap_repopulate(Authz__RepopulateReply **out);

#endif
