/* body_limit.c: MAX_BODY_BYTES checked against the NATS server's
 * max_payload (body_limit.h). */
#include "body_limit.h"

#include <inttypes.h>
#include <stdio.h>

int edge_body_limit_check(int64_t max_body, int64_t max_header, int64_t max_payload, char *why,
                          size_t whylen)
{
    int64_t room;

    if (max_payload <= 0)
        return 0;
    room = max_payload - max_header - EDGE_ENVELOPE_RESERVE;
    if (max_body <= room)
        return 0;
    snprintf(why, whylen,
             "MAX_BODY_BYTES %" PRId64 " does not fit in the NATS server's max_payload %" PRId64
             " with MAX_HEADER_BYTES %" PRId64 " and %d bytes of envelope: set MAX_BODY_BYTES to "
             "at most %" PRId64 " or raise max_payload",
             max_body, max_payload, max_header, EDGE_ENVELOPE_RESERVE, room > 0 ? room : 0);
    return -1;
}
