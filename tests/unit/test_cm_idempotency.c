/* test_cm_idempotency.c: the pure parts of cm_idempotency: which keys are
 * accepted, the caller's scope, and what the derived id and fingerprint
 * depend on. The claims and answers are tested on a real stack
 * (tests/integration/test_idempotency.c). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "cm_idempotency.h"

Test(cm_idempotency, accepts_printable_keys_of_1_to_255_characters)
{
    char longest[CM_IDEM_KEY_MAX + 2];

    cr_assert(cm_idem_key_valid("8e0f3c2a-5b6d-4e1f-9a7b-0c1d2e3f4a5b"));
    cr_assert(cm_idem_key_valid("a"));
    cr_assert(cm_idem_key_valid("order 42/retry#1"));
    memset(longest, 'k', CM_IDEM_KEY_MAX);
    longest[CM_IDEM_KEY_MAX] = '\0';
    cr_assert(cm_idem_key_valid(longest));
    longest[CM_IDEM_KEY_MAX] = 'k';
    longest[CM_IDEM_KEY_MAX + 1] = '\0';
    cr_assert(not(cm_idem_key_valid(longest)), "256 characters");
    cr_assert(not(cm_idem_key_valid("")));
    cr_assert(not(cm_idem_key_valid(NULL)));
    cr_assert(not(cm_idem_key_valid(" padded")));
    cr_assert(not(cm_idem_key_valid("tab\there")));
    cr_assert(not(cm_idem_key_valid("caf\xc3\xa9")), "ASCII only");
}

Test(cm_idempotency, scopes_keys_per_caller)
{
    Envelope__Principal p = ENVELOPE__PRINCIPAL__INIT;
    char s[200];

    cm_idem_scope(NULL, s, sizeof s);
    cr_assert(eq(str, s, "anonymous"));
    p.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER;
    p.user_id = "u1";
    cm_idem_scope(&p, s, sizeof s);
    cr_assert(eq(str, s, "user:u1"));
    p.impersonator_id = "admin7";
    cm_idem_scope(&p, s, sizeof s);
    cr_assert(eq(str, s, "user:u1/by:admin7"), "an impersonator has a scope of its own");
    p.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT;
    p.client_id = "c9";
    cm_idem_scope(&p, s, sizeof s);
    cr_assert(eq(str, s, "client:c9"));
    p.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_SERVICE;
    cm_idem_scope(&p, s, sizeof s);
    cr_assert(eq(str, s, "service:u1"));
}

Test(cm_idempotency, the_id_depends_on_scope_and_key_the_fingerprint_on_the_request)
{
    struct cm_idem a, b;

    cm_idem_init(&a, "user:u1", "k", "POST", "/v1/x/", "", "{}", 2);
    cm_idem_init(&b, "user:u1", "k", "POST", "/v1/x/", "", "{}", 2);
    cr_assert(zero(memcmp(a.id, b.id, 32)));
    cr_assert(zero(memcmp(a.fingerprint, b.fingerprint, 32)));
    cr_assert(zero(memcmp(a.box_key, b.box_key, 32)));
    cr_assert(ne(int, memcmp(a.id, a.box_key, 32), 0), "the stored id does not give the key");

    cm_idem_init(&b, "user:u2", "k", "POST", "/v1/x/", "", "{}", 2);
    cr_assert(ne(int, memcmp(a.id, b.id, 32), 0), "another caller, another row");
    cm_idem_init(&b, "user:u1", "k2", "POST", "/v1/x/", "", "{}", 2);
    cr_assert(ne(int, memcmp(a.id, b.id, 32), 0));
    cm_idem_init(&b, "user:u", "1k", "POST", "/v1/x/", "", "{}", 2);
    cr_assert(ne(int, memcmp(a.id, b.id, 32), 0), "the parts do not run together");

    cm_idem_init(&b, "user:u1", "k", "POST", "/v1/x/", "", "{ }", 3);
    cr_assert(zero(memcmp(a.id, b.id, 32)));
    cr_assert(ne(int, memcmp(a.fingerprint, b.fingerprint, 32), 0), "another body");
    cm_idem_init(&b, "user:u1", "k", "PUT", "/v1/x/", "", "{}", 2);
    cr_assert(ne(int, memcmp(a.fingerprint, b.fingerprint, 32), 0), "another method");
    cm_idem_init(&b, "user:u1", "k", "POST", "/v1/y/", "", "{}", 2);
    cr_assert(ne(int, memcmp(a.fingerprint, b.fingerprint, 32), 0), "another path");
    cm_idem_init(&b, "user:u1", "k", "POST", "/v1/x/", "a=1", "{}", 2);
    cr_assert(ne(int, memcmp(a.fingerprint, b.fingerprint, 32), 0), "another query");
}

Test(cm_idempotency, a_claim_goes_stale_after_three_request_timeouts_within_bounds)
{
    cr_assert(eq(int, cm_idem_stale_s(10000), 30), "the default 10 s timeout: 30 s");
    cr_assert(eq(int, cm_idem_stale_s(2000), 6));
    cr_assert(eq(int, cm_idem_stale_s(1), 5), "never less than 5 s");
    cr_assert(eq(int, cm_idem_stale_s(120000), CM_IDEM_STALE_S), "never more than the cap");
    cr_assert(eq(int, cm_idem_stale_s(0), CM_IDEM_STALE_S), "unknown timeout: the cap");
}
