/* body_limit.h: the start-up check that MAX_BODY_BYTES fits in one NATS
 * message: the edge forwards a request body inside an envelope (path, query,
 * headers, principal), and a message over the server's max_payload is
 * refused by NATS, so a body limit above it would only turn into 413s for
 * bodies the configuration promised to take. */
#ifndef EDGE_BODY_LIMIT_H
#define EDGE_BODY_LIMIT_H

#include <stddef.h>
#include <stdint.h>

/* Room kept beside the body for the rest of the envelope, besides the
 * headers (MAX_HEADER_BYTES): path, query, principal, request id. */
#define EDGE_ENVELOPE_RESERVE 8192

/* 0 when a body of max_body bytes with max_header bytes of headers fits in a
 * message of max_payload bytes (max_payload <= 0: the server did not say, so
 * nothing is checked). Otherwise -1 and why (the numbers and the largest
 * MAX_BODY_BYTES that fits). */
int edge_body_limit_check(int64_t max_body, int64_t max_header, int64_t max_payload, char *why,
                          size_t whylen);

#endif
