/* it_clinical.h: what the clinical API suites (test_clinical_*.c) share:
 * an organization with an API client (the seed's API user id and key) and
 * persons of it, and calls to /api as the client or as a person. */
#ifndef IT_CLINICAL_H
#define IT_CLINICAL_H

#include <jansson.h>

#include "harness.h"
#include "test_users_fixtures.h"

struct ic_client {
    char org[UT_ID_LEN];
    char org_name[128];
    char user[64];
    char key[64];
};

/* A fresh organization and an API client of it with roles (a JSON array
 * text, e.g. "[\"admin\"]"); a role "view-phi" named there is first made
 * in the organization. */
void ic_world(struct ic_client *c, const char *roles);

/* A confirmed person of c's organization, logged in; email is
 * username@example.com (160 bytes). */
void ic_person(const struct ic_client *c, struct ut_user *u, char *email);

/* method path as the client (Basic), body of content type ctype (NULL:
 * none). Returns the status; the parsed body into *doc when doc (caller
 * json_decref; asserts it is JSON). */
long ic_api(const struct ic_client *c, const char *method, const char *path, const char *ctype,
            const char *body, json_t **doc);

/* method path with a person's Bearer token and a JSON body (may be NULL). */
long ic_token(const char *token, const char *method, const char *path, const char *body,
              json_t **doc);

/* Through the admin operations (asserting 200): PUT admin/services/{OU of
 * c} with services (a JSON array text); PUT admin/users/{user} with a form
 * body (e.g. "pager_number=5551001" or "services=ER&services=ICU"); POST
 * pager/service giving number to service of c's OU. */
void ic_services(const struct ic_client *c, const char *services);
void ic_user_put(const struct ic_client *c, const char *user, const char *form);
void ic_service_pager(const struct ic_client *c, const char *number, const char *service);

/* GET user/counters/{user} as c (asserting 200 and ctn 0): unread and
 * unseen msg. */
void ic_counters(const struct ic_client *c, const char *user, long *unread, long *unseen);

/* Whether the JSON array a holds the string s. */
int ic_has(const json_t *a, const char *s);

/* String member name of doc, "" when absent (borrowed). */
const char *ic_str(const json_t *doc, const char *name);

/* Integer at doc[a][b]; -1 when absent. */
long ic_int2(const json_t *doc, const char *a, const char *b);

#endif
