/* clinical_fixtures.h: what the clinical API suites (test_clinical_*.c)
 * share: a world of OUs (a root, its child "<root>:1234", another tenant's
 * root) made through /v1 by the platform admin, API clients of them, and
 * calls to /api with a client's Basic credentials. */
#ifndef IT_CLINICAL_FIXTURES_H
#define IT_CLINICAL_FIXTURES_H

#include <jansson.h>

#include "harness.h"

struct cf_client {
    char user[64];
    char key[128];
};

struct cf_world {
    char platform[4097];
    char root[128], root_id[40];   /* "cf-<random>" */
    char child[160], child_id[40]; /* "<root>:1234" */
    char other[128], other_id[40]; /* another tenant's root */
    struct cf_client admin;        /* API client of root, role admin */
    struct cf_client reader;       /* API client of root, no role */
    struct cf_client child_admin;  /* API client of child, role admin */
    struct cf_client other_admin;  /* API client of other, role admin */
};

/* Makes a fresh world (asserts every step). */
void cf_world_make(struct cf_world *w);

/* An organization named name (by the platform admin); its id to id (40). */
void cf_org(const char *platform, const char *name, char *id);

/* An API client of org with roles (a JSON array text). */
void cf_client_make(const char *platform, const char *org, const char *roles, struct cf_client *c);

/* method on path as client c (NULL: no credentials) with body of Content-Type
 * ctype (NULL: form). Returns the status; the parsed body to *doc when doc
 * (NULL when not JSON; caller json_decref). */
long cf_call(const struct cf_client *c, const char *method, const char *path, const char *ctype,
             const char *body, json_t **doc);

/* As cf_call, the whole answer into *r (caller it_resp_release). */
void cf_call_raw(const struct cf_client *c, const char *method, const char *path,
                 const char *ctype, const char *body, struct it_resp *r);

/* String member name of doc ("" when absent). Borrowed. */
const char *cf_str(const json_t *doc, const char *name);

/* Asserts doc is {"status": "error", "message": message}. */
void cf_assert_error(const json_t *doc, const char *message);

/* Creates a user of ou (primary_ou; NULL: the client's) with email
 * <prefix-random>@example.com through POST admin/users as c; extra is
 * more form parameters ("&a=b...", may be ""). The email (= user_id) to
 * email (128 bytes); asserts 200. */
void cf_user(const struct cf_client *c, const char *ou, const char *extra, char *email);

/* Count of rows of messaging.outbox with subject whose payload holds text. */
long cf_events(const char *subject, const char *text);

#endif
