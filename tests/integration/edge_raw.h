/* edge_raw.h: raw TCP exchanges with the edge (TEST_EDGE_URL), for the
 * suites that send bytes no HTTP library would: malformed framing, request
 * smuggling, bodies written without waiting, keep-alive connections held
 * across a drain. */
#ifndef IT_EDGE_RAW_H
#define IT_EDGE_RAW_H

#include <stddef.h>

/* A new TCP connection to the edge; asserts it connects. Caller closes. */
int raw_connect(void);

/* "Authorization: Basic ..." for the bootstrap API client, CRLF included. */
const char *raw_basic_auth_line(void);

/* Sends len bytes of req on a new connection, then reads until the edge
 * closes or timeout_ms pass; the bytes read (NUL-terminated, at most cap-1)
 * to out. *closed is 1 when the edge closed the connection. Returns the
 * number of bytes read. */
size_t raw_exchange(const char *req, size_t len, char *out, size_t cap, double timeout_ms,
                    int *closed);

/* Status code of the first response in buf, 0 when there is none. */
int raw_status(const char *buf);

/* Body of the first response in buf (after its empty line), or "". */
const char *raw_body(const char *buf);

/* Number of responses in buf (a status line at its start, after a line or
 * after a JSON body). */
int raw_count_responses(const char *buf);

#endif
