/* test_cm_principal.c: the principal checks handlers share: who counts as
 * authenticated, and the person-only check (401 without credentials, 403
 * with the given detail for an API client or a service). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "cm_principal.h"

/* A request whose caller is of kind, named user_id. */
struct fixture {
    Envelope__Principal p;
    Envelope__HttpRequest http;
    struct cm_req rq;
};

static void make(struct fixture *f, Envelope__PrincipalKind kind, const char *user_id)
{
    memset(f, 0, sizeof *f);
    envelope__principal__init(&f->p);
    envelope__http_request__init(&f->http);
    f->p.kind = kind;
    f->p.user_id = (char *)user_id;
    f->http.principal = &f->p;
    f->rq.http = &f->http;
}

Test(cm_principal, a_person_passes_with_their_user_id)
{
    struct fixture f;
    const char *user = NULL;

    make(&f, ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER, "u-1");
    cr_assert(eq(int, cm_principal_require_person(&f.rq, "people only", &user), CM_OK));
    cr_assert(eq(str, (char *)user, "u-1"));
    cr_assert(eq(int, cm_principal_require_person(&f.rq, "people only", NULL), CM_OK));
}

Test(cm_principal, an_api_client_is_denied_with_the_detail)
{
    struct fixture f;
    const char *user = NULL;

    make(&f, ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT, "client-1");
    cr_assert(eq(int, cm_principal_require_person(&f.rq, "people only", &user), CM_EDENIED));
    cr_assert(eq(str, f.rq.detail, "people only"));
    cr_assert(user == NULL);
}

Test(cm_principal, no_credentials_is_unauthenticated)
{
    struct fixture f;
    const char *user = NULL;

    make(&f, ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER, "");
    cr_assert(eq(int, cm_principal_require_person(&f.rq, "people only", &user), CM_EUNAUTH));
    cr_assert(user == NULL);
    f.http.principal = NULL; /* anonymous */
    cr_assert(eq(int, cm_principal_require_person(&f.rq, "people only", &user), CM_EUNAUTH));
}
