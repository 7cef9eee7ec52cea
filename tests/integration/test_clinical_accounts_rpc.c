/* test_clinical_accounts_rpc.c: identity.rpc.ClinicalGetAccounts, the one
 * account lookup of messaging's clinical API (it took over FindUsers):
 * accounts by id, username and email (case-insensitive); with an
 * organization only its members, with their role names there and the
 * organization named in the reply; an unknown organization is
 * CM_ENOTFOUND; more than 10000 names CM_ETOOBIG. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cm_err.h"
#include "harness.h"
#include "identity.pb-c.h"
#include "test_users_fixtures.h"

TestSuite(clinical_accounts_rpc, .timeout = 90);

/* ClinicalGetAccounts with in: its code, the reply into *out on success
 * (caller identity__clinical_get_accounts_reply__free_unpacked). */
static int get_accounts(const Identity__ClinicalGetAccountsRequest *in,
                        Identity__ClinicalGetAccountsReply **out)
{
    Envelope__RpcReply *r = NULL;
    int code = ut_rpc("ClinicalGetAccounts", &in->base, &r);

    *out = NULL;
    if (code == 0) {
        *out = identity__clinical_get_accounts_reply__unpack(NULL, r->payload.len, r->payload.data);
        cr_assert(out[0] != NULL, "ClinicalGetAccountsReply");
    }
    envelope__rpc_reply__free_unpacked(r, NULL);
    return code;
}

static const Identity__ClinicalAccount *account_of(const Identity__ClinicalGetAccountsReply *r,
                                                   const char *id)
{
    for (size_t i = 0; i < r->n_accounts; i++)
        if (!strcmp(r->accounts[i]->user_id, id))
            return r->accounts[i];
    return NULL;
}

static int has_role(const Identity__ClinicalAccount *a, const char *name)
{
    for (size_t i = 0; i < a->n_role_names; i++)
        if (!strcmp(a->role_names[i], name))
            return 1;
    return 0;
}

Test(clinical_accounts_rpc, an_organization_scopes_the_answer_to_its_members_with_roles)
{
    char org_a[UT_ID_LEN], org_b[UT_ID_LEN], email_b[160];
    struct ut_user a, b;
    Identity__ClinicalGetAccountsRequest in = IDENTITY__CLINICAL_GET_ACCOUNTS_REQUEST__INIT;
    Identity__ClinicalGetAccountsReply *r;
    const Identity__ClinicalAccount *x;
    char *ids[2], *names[1], *emails[1];

    IT_REQUIRE_STACK();
    ut_org(org_a);
    ut_org(org_b);
    ut_account(org_a, "provider", &a);
    ut_account(org_b, NULL, &b);
    snprintf(email_b, sizeof email_b, "%s@EXAMPLE.com", b.username);
    for (char *c = email_b; *c && *c != '@'; c++)
        *c = (char)toupper((unsigned char)*c);
    ids[0] = a.id;
    ids[1] = b.id;
    names[0] = b.username;
    emails[0] = email_b;

    /* without an organization: every account named, no roles */
    in.user_ids = ids;
    in.n_user_ids = 2;
    cr_assert(eq(int, get_accounts(&in, &r), 0));
    cr_assert(eq(sz, r->n_accounts, 2));
    cr_assert(eq(str, r->organization_id, ""));
    cr_assert(account_of(r, a.id) && account_of(r, b.id));
    cr_assert(eq(sz, account_of(r, a.id)->n_role_names, 0));
    identity__clinical_get_accounts_reply__free_unpacked(r, NULL);

    /* with organization a: only a, however b is named, with a's roles there */
    in.organization_id = org_a;
    in.usernames = names;
    in.n_usernames = 1;
    in.emails = emails;
    in.n_emails = 1;
    cr_assert(eq(int, get_accounts(&in, &r), 0));
    cr_assert(eq(sz, r->n_accounts, 1));
    cr_assert(eq(str, r->organization_id, org_a));
    cr_assert(r->organization_name[0] != '\0');
    x = account_of(r, a.id);
    cr_assert(x != NULL);
    cr_assert(eq(str, x->username, a.username));
    cr_assert(x->enabled);
    cr_assert(has_role(x, "provider"), "roles of a in its organization");
    identity__clinical_get_accounts_reply__free_unpacked(r, NULL);

    /* with organization b: b found by username and by email in any case */
    in.organization_id = org_b;
    in.n_user_ids = 0;
    in.n_usernames = 0;
    cr_assert(eq(int, get_accounts(&in, &r), 0));
    cr_assert(eq(sz, r->n_accounts, 1));
    cr_assert(eq(str, r->accounts[0]->user_id, b.id));
    cr_assert(has_role(r->accounts[0], "patient"));
    identity__clinical_get_accounts_reply__free_unpacked(r, NULL);

    /* an organization where nobody matches: named, no accounts */
    in.n_emails = 0;
    in.user_ids = ids;
    in.n_user_ids = 1; /* a, of the other organization */
    cr_assert(eq(int, get_accounts(&in, &r), 0));
    cr_assert(eq(sz, r->n_accounts, 0));
    cr_assert(eq(str, r->organization_id, org_b));
    identity__clinical_get_accounts_reply__free_unpacked(r, NULL);
}

Test(clinical_accounts_rpc, unknown_organizations_and_too_many_names_are_refused)
{
    Identity__ClinicalGetAccountsRequest in = IDENTITY__CLINICAL_GET_ACCOUNTS_REQUEST__INIT;
    Identity__ClinicalGetAccountsReply *r;
    static char *many[10001];

    IT_REQUIRE_STACK();
    in.organization_id = "00000000-0000-4000-8000-000000000000";
    cr_assert(eq(int, get_accounts(&in, &r), CM_ENOTFOUND));
    in.organization_id = "not-a-uuid";
    cr_assert(eq(int, get_accounts(&in, &r), CM_ENOTFOUND));
    in.organization_id = "";
    in.organization_name = "no such organization name";
    cr_assert(eq(int, get_accounts(&in, &r), CM_ENOTFOUND));
    in.organization_name = "";
    for (size_t i = 0; i < 10001; i++)
        many[i] = "x";
    in.usernames = many;
    in.n_usernames = 10001;
    cr_assert(eq(int, get_accounts(&in, &r), CM_ETOOBIG));
}
