/* test_edge_body_limit.c: MAX_BODY_BYTES against the NATS server's
 * max_payload (services/edge/body_limit.c). */
// links: services/edge/body_limit.c
#include <criterion/criterion.h>
#include <string.h>

#include "../../services/edge/body_limit.h"

#define MIB 1048576

Test(edge_body_limit, shipped_default_fits_the_default_max_payload)
{
    char why[256] = "";
    cr_assert_eq(edge_body_limit_check(1000000, 16384, MIB, why, sizeof why), 0);
    cr_assert_str_empty(why);
}

Test(edge_body_limit, a_limit_of_max_payload_itself_is_refused_with_the_largest_that_fits)
{
    char why[256] = "";
    cr_assert_eq(edge_body_limit_check(MIB, 16384, MIB, why, sizeof why), -1);
    cr_assert(strstr(why, "max_payload 1048576") != NULL, "%s", why);
    cr_assert(strstr(why, "at most 1024000") != NULL, "%s", why);
}

Test(edge_body_limit, the_boundary_is_exact)
{
    char why[256];
    int64_t room = MIB - 16384 - EDGE_ENVELOPE_RESERVE;
    cr_assert_eq(edge_body_limit_check(room, 16384, MIB, why, sizeof why), 0);
    cr_assert_eq(edge_body_limit_check(room + 1, 16384, MIB, why, sizeof why), -1);
}

Test(edge_body_limit, a_larger_server_max_payload_allows_more)
{
    char why[256];
    cr_assert_eq(edge_body_limit_check(8 * MIB, 16384, 64 * MIB, why, sizeof why), 0);
}

Test(edge_body_limit, unknown_max_payload_checks_nothing)
{
    char why[256];
    cr_assert_eq(edge_body_limit_check(256 * MIB, 16384, 0, why, sizeof why), 0);
}
