/* test_identity_password.c: identity's password strength scorer and policy. */
// links: services/identity/password_policy.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../services/identity/password_policy.h"

/* By value: Criterion copies parameters into its worker processes. */
struct rating {
    char password[64];
    int min_score;
    int max_score;
};

ParameterizedTestParameters(password_policy, rates_passwords)
{
    static struct rating cases[] = {
        {"password", 0, 0},                 /* common */
        {"PassWord", 0, 0},                 /* common, any case */
        {"123456", 0, 0},                   {"aaaaaaaaaaaaaaaa", 0, 0}, /* repeats */
        {"abcdefghijklmnop", 0, 1},         /* a run */
        {"qwertyuiopasdfgh", 0, 1},         /* keyboard rows */
        {"Tr0ub4dor&3", 2, 3},              {"k9#Lq2!vZp", 2, 3},
        {"correct horse battery staple", 3, 4},
        {"8fK#q2Lz!9vR@m4X", 4, 4},
    };
    return cr_make_param_array(struct rating, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct rating *c, password_policy, rates_passwords)
{
    struct pw_strength s;

    pw_strength_rate(c->password, strlen(c->password), &s);
    cr_assert(s.score >= c->min_score && s.score <= c->max_score, "%s scored %d", c->password,
              s.score);
    cr_assert(s.label != NULL);
}

Test(password_policy, labels_follow_scores_and_policy_needs_fair)
{
    struct pw_strength weak, strong;

    pw_strength_rate("letmein", 7, &weak);
    pw_strength_rate("8fK#q2Lz!9vR@m4X", 16, &strong);
    cr_assert(eq(str, (char *)weak.label, "very weak"));
    cr_assert(eq(int, weak.common, 1));
    cr_assert(eq(int, pw_policy_accepts(&weak), 0));
    cr_assert(eq(str, (char *)strong.label, "very strong"));
    cr_assert(eq(int, pw_policy_accepts(&strong), 1));
}

Test(password_policy, suggests_what_would_help)
{
    struct pw_strength s;

    pw_strength_rate("abc", 3, &s);
    cr_assert(s.nsuggestions >= 2);
    for (int i = 0; i < s.nsuggestions; i++)
        cr_assert(s.suggestions[i] && strlen(s.suggestions[i]) > 10);
    pw_strength_rate("8fK#q2Lz!9vR@m4X", 16, &s);
    cr_assert(eq(int, s.nsuggestions, 0));
}

Test(password_policy, counts_code_points_not_bytes)
{
    cr_assert(eq(sz, pw_chars("h\xc3\xa9llo", 6), 5));       /* héllo */
    cr_assert(eq(sz, pw_chars("\xf0\x9f\x94\x91", 4), 1));   /* one emoji */
}
