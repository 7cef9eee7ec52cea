/* cm_jsonapi.h: what every /v1 handler needs to read its input and shape its
 * output the JSON:API way: query parameters with their limits (page[limit],
 * filter[...], booleans, uuids), the {"data":{"type","id","attributes"}}
 * request envelope, typed members of flat JSON bodies, and resource
 * documents. Every reader validates, and on bad input records the detail and
 * the source (query parameter or JSON pointer) in rq through cm_fail_at and
 * returns CM_EINVAL, so a handler just returns the error. */
#ifndef CM_JSONAPI_H
#define CM_JSONAPI_H

#include <jansson.h>
#include <stddef.h>

#include "cm_service.h"

#define CM_UUID_LEN 36
#define CM_TIME_LEN 32 /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" and the NUL, with room */

/* True when s is a canonical uuid (8-4-4-4-12 hex digits, any case). */
int cm_uuid_valid(const char *s);

/* --- query string --- */

/* Looks query parameter name up (keys and values percent-decoded, '+' as a
 * space; the first occurrence wins). Returns 1 and the NUL-terminated value
 * in buf when present, 0 when absent, -1 when the value is malformed (bad
 * escape, NUL byte, invalid UTF-8) or does not fit in cap bytes. */
int cm_query_get(const struct cm_req *rq, const char *name, char *buf, size_t cap);

/* Calls fn for each occurrence of name, in order, with the decoded value;
 * stops at the first non-CM_OK return. Malformed values fail with
 * CM_EINVAL. For repeated keys (sort-by=a&sort-by=b) and arrays. */
cm_err cm_query_each(struct cm_req *rq, const char *name, size_t maxchars,
                     cm_err (*fn)(struct cm_req *rq, const char *value, void *ctx), void *ctx);

/* Fails with CM_EINVAL naming the first query parameter whose key is not in
 * allowed (NULL-terminated). */
cm_err cm_query_known(struct cm_req *rq, const char *const *allowed);

/* Integer parameter in [min, max]; def when absent. */
cm_err cm_query_int(struct cm_req *rq, const char *name, long min, long max, long def,
                    long *out);

/* Boolean parameter ("true"/"false", also "1"/"0"); def when absent. */
cm_err cm_query_bool(struct cm_req *rq, const char *name, int def, int *out);

/* uuid parameter into out (CM_UUID_LEN + 1 bytes); "" when absent. */
cm_err cm_query_uuid(struct cm_req *rq, const char *name, char *out);

/* Text parameter of at most maxchars characters into buf (cap bytes, must
 * hold maxchars * 4 + 1); "" when absent. */
cm_err cm_query_text(struct cm_req *rq, const char *name, size_t maxchars, char *buf,
                     size_t cap);

/* One "[comparator][datetime]" item of a filter[cmp-...] parameter: "<" or
 * ">" (also "<=" and ">=" when allow_eq) into op (NUL-terminated), then an
 * RFC 3339 date-time (offset Z or ±HH[:]MM, a space read as '+', as a query
 * string's '+' decodes; 'T' or a space between date and time) or a date
 * (midnight UTC), at most 40 characters in all. The instant goes to out as
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC). CM_EINVAL otherwise (impossible dates
 * and times included). Pure. */
cm_err cm_cmp_time_parse(const char *s, int allow_eq, char op[3], char out[CM_TIME_LEN]);

/* page[limit] in [min_limit, max_limit] (default def_limit) and
 * page[offset] >= 0 (default 0). */
cm_err cm_query_page(struct cm_req *rq, long def_limit, long min_limit, long max_limit,
                     long *out_limit, long *out_offset);

/* --- bodies --- */

/* Parses a JSON:API request body {"data": {"type", "id"?, "attributes"},
 * "meta"?}. data.type must equal type. When id is not NULL, data.id must be
 * present and equal it (PATCH); when NULL, data.id must be absent. Every
 * attribute must be in allowed (NULL-terminated). On CM_OK *out_doc is the
 * whole document (caller json_decref) and *out_attrs borrows its attributes
 * object (an empty object when the body had none). Errors point at
 * "/data", "/data/type", "/data/id" or "/data/attributes/<name>". */
cm_err cm_req_jsonapi(struct cm_req *rq, const char *type, const char *id,
                      const char *const *allowed, json_t **out_doc, json_t **out_attrs);

/* Typed members of a JSON object obj, whose JSON pointer is prefix ("" for
 * a flat body, "/data/attributes" for an envelope). Absent and null members
 * are "not given": required ones then fail, optional ones leave the default.
 *
 * String of 1..maxchars characters (0..maxchars when allow_empty); *out
 * borrows from obj, NULL when not given. */
cm_err cm_json_str(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                   int required, int allow_empty, size_t maxchars, const char **out);

/* uuid string into out (CM_UUID_LEN + 1 bytes); "" when not given. */
cm_err cm_json_uuid(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                    int required, char *out);

/* Boolean; def when not given. */
cm_err cm_json_bool(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                    int required, int def, int *out);

/* Integer in [min, max]; def when not given. */
cm_err cm_json_int(struct cm_req *rq, const json_t *obj, const char *prefix, const char *name,
                   int required, long min, long max, long def, long *out);

/* "organization-id" of a resource that belongs to one organization and
 * never moves: a uuid, required when create, refused on an update ("<what>
 * cannot move to another organization"; what is "a link", "a template").
 * *out borrows from obj, NULL when not given. */
cm_err cm_json_owner_org(struct cm_req *rq, const json_t *obj, const char *prefix, int create,
                         const char *what, const char **out);

/* --- documents --- */

/* {"type": type, "id": id, "attributes": attrs}; steals attrs. */
json_t *cm_jsonapi_resource(const char *type, const char *id, json_t *attrs);

/* {"data": data, "meta": {}}; steals data (an object, an array, or NULL for
 * a null document). */
json_t *cm_jsonapi_doc(json_t *data);

/* A JSON string for s, or null when s is NULL or "" (for optional
 * attributes). */
json_t *cm_json_str_or_null(const char *s);

/* A JSON:API error document with one error {"status", "code", "detail",
 * "source": {"pointer"} (when pointer is not NULL), "meta": meta (when not
 * NULL)}, for refusals that must say more than a detail (e.g. which
 * service documents to agree to); steals meta. A handler answers it with
 * cm_resp_json(out, rq, status, doc) and returns CM_OK. */
json_t *cm_jsonapi_error_doc(int status, const char *code, const char *detail,
                             const char *pointer, json_t *meta);

#endif
