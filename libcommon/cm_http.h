/* cm_http.h: HTTP facts shared by the edge and the services: which surface a
 * path belongs to, and error bodies in each surface's style.
 *
 *   JSON:API (/v1, /v2):  {"errors":[{"status":404,"code":"not_found","detail":"...",
 *                          "source":{"pointer":"/data/attributes/x"}}]}
 *   Cureatr (/api/...):   {"status": "error", "message": "..."}
 *   Okaya (/configure/):  {"error": "..."} */
#ifndef CM_HTTP_H
#define CM_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "envelope.pb-c.h"

/* Surface of a request path ("/v1/..." → JSONAPI, "/api/..." → CUREATR,
 * "/configure/..." → OKAYA, else UNKNOWN). */
Envelope__Surface cm_http_surface_of(const char *path);

/* Where an error points in the request, JSON:API style; both may be NULL. */
struct cm_http_source {
    const char *pointer;   /* JSON pointer into the body, e.g. "/data/attributes/email" */
    const char *parameter; /* query parameter name, e.g. "page[limit]" */
};

/* Error body of surface for status, with a short stable code ("not_found")
 * and a human detail. UNKNOWN surfaces use the JSON:API style. Returns a new
 * NUL-terminated string (caller frees); its length to *out_len if not NULL. */
char *cm_http_error_body(Envelope__Surface surface, int status, const char *code,
                         const char *detail, const struct cm_http_source *source,
                         size_t *out_len);

/* Serialises json as the surface expects: the Cureatr surface uses the
 * seed's spacing ({"status": "ok", "id": "1"}), the others compact JSON.
 * Returns a new string (caller frees), length to *out_len if not NULL. */
char *cm_http_dump(Envelope__Surface surface, const json_t *json, size_t *out_len);

/* Reason phrase of status ("Not Found"); "Unknown" for others. */
const char *cm_http_reason(int status);

#endif
