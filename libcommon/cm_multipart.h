/* cm_multipart.h: a streaming reader of multipart/form-data bodies (RFC
 * 7578, after RFC 1867), fed in pieces of any size as they arrive
 * (cm_body_next), with bounded memory: part headers up to
 * CM_MULTIPART_MAX_HEAD bytes, and a part's data passed on as it comes,
 * holding back only a possible delimiter's length. Pure: no I/O. */
#ifndef CM_MULTIPART_H
#define CM_MULTIPART_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define CM_MULTIPART_MAX_HEAD 8192 /* bytes of one part's header block */
#define CM_MULTIPART_MAX_BOUNDARY 70 /* RFC 2046 */

/* What the reader reports; each returns 0 to go on, non-zero to stop (the
 * feed then returns CM_EINVAL with the callee's why, or "stopped"). */
struct cm_multipart_cb {
    /* A part starts: its form name, file name ("" when none) and content
     * type ("" when none), borrowed for the call. */
    int (*on_part)(void *ctx, const char *name, const char *filename, const char *ctype);
    /* The next n bytes of the current part's content. */
    int (*on_data)(void *ctx, const uint8_t *p, size_t n);
    /* The current part is complete. */
    int (*on_part_end)(void *ctx);
    void *ctx;
};

struct cm_multipart;

/* The boundary of Content-Type ctype ("multipart/form-data; boundary=x",
 * quoted or not) into out[cap]. CM_EINVAL when ctype is not
 * multipart/form-data or has no valid boundary. */
cm_err cm_multipart_boundary(const char *ctype, char *out, size_t cap);

/* A reader for boundary (cm_multipart_boundary's); caller frees with
 * cm_multipart_free (NULL is a no-op). */
struct cm_multipart *cm_multipart_new(const char *boundary, const struct cm_multipart_cb *cb);
void cm_multipart_free(struct cm_multipart *mp);

/* Feeds the next n bytes of the body. CM_OK, or CM_EINVAL with why[] (a
 * malformed body, or a callback stopped); after an error further feeds fail. */
cm_err cm_multipart_feed(struct cm_multipart *mp, const uint8_t *p, size_t n, char *why,
                         size_t whylen);

/* The body is complete: CM_OK when it ended with the closing delimiter,
 * CM_EINVAL with why[] otherwise. */
cm_err cm_multipart_finish(struct cm_multipart *mp, char *why, size_t whylen);

#endif
