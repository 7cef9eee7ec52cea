/* test_edge_stream_routes.c: which requests the edge streams to their
 * service instead of reading them whole (edge_route_streams_body): the
 * attachment upload of every API date, and nothing else. */
// links: services/edge/routes.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "../../services/edge/routes.h"

static int streams(const char *method, const char *path)
{
    return edge_route_streams_body(method, strlen(method), path, strlen(path));
}

Test(edge_stream_routes, only_attachment_uploads_stream)
{
    cr_assert(eq(int, streams("POST", "/api/2014-08-01/attachment"), 1));
    cr_assert(eq(int, streams("POST", "/api/2014-08-01/attachment/"), 1));
    cr_assert(eq(int, streams("POST", "/api/2020-01-01/attachment"), 1));
    cr_assert(eq(int, streams("GET", "/api/2014-08-01/attachment"), 0));
    cr_assert(eq(int, streams("PUT", "/api/2014-08-01/attachment"), 0));
    cr_assert(eq(int, streams("POST", "/api/2014-08-01/attachment/x"), 0));
    cr_assert(eq(int, streams("POST", "/api/2014-08-01/attachments"), 0));
    cr_assert(eq(int, streams("POST", "/api//attachment"), 0));
    cr_assert(eq(int, streams("POST", "/api/attachment"), 0));
    cr_assert(eq(int, streams("POST", "/v1/attachment"), 0));
    cr_assert(eq(int, streams("POST", "/api/2015-02-01/util/test/1"), 0));
    cr_assert(eq(int, streams("POSTX", "/api/2014-08-01/attachment"), 0));
}
