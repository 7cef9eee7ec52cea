/* test_edge_api_persons.c: which /api operations the edge opens to a
 * person's Bearer token (services/edge/api_persons.c). */
// links: services/edge/api_persons.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "../../services/edge/api_persons.h"

Test(edge_api_persons, the_person_operations_only)
{
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2014-08-01/thread/abc/messages"), 1));
    cr_assert(eq(int, edge_api_person_op("POST", "/api/2014-08-01/message"), 1));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2017-09-01/message/abc/contents"), 1));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2014-08-01/message/abc/status"), 1));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2016-11-01/user/counters/u1"), 1));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2014-08-01/attachment/a1"), 1));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2014-08-01/attachment/a1/content"), 1));
    cr_assert(eq(int, edge_api_person_op("POST", "/api/2014-08-01/attachment"), 0));

    cr_assert(eq(int, edge_api_person_op("POST", "/api/2014-08-01/thread/create"), 0));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2014-08-01/message"), 0));
    cr_assert(eq(int, edge_api_person_op("PUT", "/api/2014-08-01/message/abc/status"), 0));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2014-08-01/thread//messages"), 0));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2014-08-01/thread/a/b/messages"), 0));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2014-08-01/thread/a/messages/"), 0));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2016-11-01/user/counters/"), 0));
    cr_assert(eq(int, edge_api_person_op("GET", "/api/2015-02-01/util/test/1"), 0));
    cr_assert(eq(int, edge_api_person_op("POST", "/api/2014-08-01/patients"), 0));
    cr_assert(eq(int, edge_api_person_op(NULL, NULL), 0));
}
