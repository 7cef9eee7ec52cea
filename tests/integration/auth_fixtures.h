/* auth_fixtures.h: what the login, refresh and password-reset suites share:
 * people and organizations written straight into identity's tables (so
 * these suites do not depend on the users and organizations operations),
 * and JSON calls to /v1 that answer a status and a parsed body. */
#ifndef IT_AUTH_FIXTURES_H
#define IT_AUTH_FIXTURES_H

#include <jansson.h>
#include <libpq-fe.h>

#include "harness.h"

#define AF_PASSWORD "Quiet-Harbor-7531!"
#define AF_TOKEN_MAX 4097

/* A user named by a fresh username (prefix + random + "@example.com",
 * lower case; to username, 128 bytes) with password AF_PASSWORD, email =
 * username; its id
 * to id (40 bytes). registered/enabled as given; no organization. */
void af_user(PGconn *pg, const char *prefix, int registered, int enabled, char *username,
             char *id);

/* A fresh organization with the roles admin, provider and patient; its id
 * to id (40 bytes). */
void af_org(PGconn *pg, char *id);

/* Makes user a member of org, with role (a role name of org) when not NULL. */
void af_member(PGconn *pg, const char *user, const char *org, const char *role);

/* A registered user (af_user with prefix) who is a member of org (a fresh
 * one, its id into org, when org[0] is 0) with role, logged in: its id into
 * user_id (40 bytes), its access token into access (AF_TOKEN_MAX). */
void af_member_login(const char *prefix, char *org, const char *role, char *user_id,
                     char *access);

/* POST (or GET when body is NULL and method says so) path with the bearer
 * token (NULL: none) and body (JSON text or NULL). Returns the status; the
 * parsed body goes to *doc when doc is not NULL (caller json_decref; NULL
 * when the body is not JSON). */
long af_call(const char *method, const char *path, const char *token, const char *body,
             json_t **doc);

/* POST /v1/login/ with username and password plus the members of extra (a
 * JSON object text, or NULL). As af_call. */
long af_login(const char *username, const char *password, const char *extra, json_t **doc);

/* String member name of doc, "" when absent (borrowed). */
const char *af_str(const json_t *doc, const char *name);

/* Asserts that doc is a JSON:API error with status and, when pointer is not
 * NULL, that source.pointer; returns its detail (borrowed). */
const char *af_error(const json_t *doc, long status, const char *pointer);

/* Asserts that doc is a JSON:API error with status, code and (when not
 * NULL) detail: what the caller is told. */
void af_error_is(const json_t *doc, long status, const char *code, const char *detail);

/* POSTs body to path without credentials and asserts a 400 JSON:API error
 * whose source.pointer is pointer (not checked when pointer is ""). */
void af_refuses_body(const char *path, const char *body, const char *pointer);

#endif
