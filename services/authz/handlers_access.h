/* handlers_access.h: declarations of the authz handlers in handlers_access*.c
 * (the authz-* access operations #10-#13 and #15), the typed RPCs of
 * check_rpc.c (authz.rpc.Check, authz.rpc.CheckBatch), and the helpers they
 * share (handlers_access_input.c: reading access queries, uuid lists and
 * dates; handlers_access_common.c: who may ask, the user's status;
 * handlers_access_sets.c: the sets the listings page through). */
#ifndef AUTHZ_HANDLERS_ACCESS_H
#define AUTHZ_HANDLERS_ACCESS_H

#include <jansson.h>
#include <nats/nats.h>
#include <stddef.h>

#include "cm_jsonapi.h"
#include "cm_service.h"
#include "engine.h"
#include "store_access.h"

/* ---- operations (HTTP, through the edge) ---- */

/* #12 POST /v1/authz-resource-access/ {access-query, user-id} → 201 {allow} */
cm_err authz_resource_access(struct cm_req *rq, struct cm_resp *out);

/* #15 POST /v1/bulk-authz-resource-access/ {multi-user-ids: {access-query,
 * individually, user-ids}} → 201 {access-queries: [{access-query, allow,
 * user-id}]}: individually false = one answer per user for all the queries
 * ANDed; true = one answer per (user, query), users outer, queries inner. */
cm_err authz_bulk_resource_access(struct cm_req *rq, struct cm_resp *out);

/* #10 POST /v1/authz-get-accessible-resources/ → 201 {resource-ids, meta} */
cm_err authz_accessible_resources(struct cm_req *rq, struct cm_resp *out);

/* #11 GET /v1/authz-individuals/ → 200 {resource-ids, meta} */
cm_err authz_individuals(struct cm_req *rq, struct cm_resp *out);

/* #13 GET /v1/authz-resource-accessors/ → 200 {data: [{id}], meta} */
cm_err authz_resource_accessors(struct cm_req *rq, struct cm_resp *out);

/* ---- typed RPCs (check_rpc.c) ---- */

/* authz.rpc.Check: CheckRequest → CheckReply; CM_EINVAL (detail in
 * RpcReply.message) for a bad query or user id, no query or too many. */
cm_err authz_rpc_check(struct cm_worker *w, const Envelope__RpcRequest *req,
                       uint8_t **out_payload, size_t *out_len);

/* authz.rpc.CheckBatch: CheckBatchRequest → CheckBatchReply, answers in
 * order; one bad check fails the whole batch (CM_EINVAL). */
cm_err authz_rpc_check_batch(struct cm_worker *w, const Envelope__RpcRequest *req,
                             uint8_t **out_payload, size_t *out_len);


/* ---- shared helpers ---- */

#define ACCESS_PAGE_DEFAULT 5000L
#define ACCESS_PAGE_MAX 100000L
#define ACCESS_BULK_USERS_MAX 100 /* user-ids of one bulk request */
#define ACCESS_RESOURCE_IDS_MAX 50 /* resource-id of #13 */

/* Access queries read from a request: the strings (borrowed from the
 * request's JSON or RPC message) and their parsed forms. */
struct access_queries {
    size_t n;
    const char *text[AUTHZ_MAX_QUERIES];
    struct authz_query q[AUTHZ_MAX_QUERIES];
};

/* Parses n query strings into out (pure). On CM_EINVAL *out_bad is the index
 * of the first bad one (n for "none given" or "more than
 * AUTHZ_MAX_QUERIES") and err holds the reason. */
cm_err access_queries_parse(const char *const *strs, size_t n, struct access_queries *out,
                            size_t *out_bad, char *err, size_t errlen);

/* Reads obj's member name (required, a non-empty array of strings) as
 * access queries; errors name the JSON pointer "<prefix>/<name>[/<i>]". */
cm_err access_queries_from_json(struct cm_req *rq, const json_t *obj, const char *prefix,
                                const char *name, struct access_queries *out);

/* Splits a list of uuids given as repeated values and/or comma-separated
 * into out (max entries, each CM_UUID_LEN + 1 bytes), appending to *n
 * (pure). Returns CM_EINVAL for a bad uuid, an empty item or more than max. */
cm_err access_uuid_list_add(const char *value, char (*out)[CM_UUID_LEN + 1], size_t max,
                            size_t *n);

/* True for a valid calendar date "YYYY-MM-DD" (pure). */
int access_date_valid(const char *s);

/* {"page[limit]": limit, "page[offset]": offset, "page[total]": total} */
json_t *access_page_meta(long limit, long offset, long total);

/* The ids of page → JSON array of strings, or of {"id": ...} objects when
 * as_objects (pure). NULL only when jansson fails. */
json_t *access_ids_json(const struct access_page *page, int as_objects);

/* Who may ask about user_id: the user themselves; the platform admin; an
 * organization admin (a user or an API client with role "admin" in its
 * current organization) when user_id is a member of that organization in
 * authz's projection. Otherwise CM_ENOTFOUND naming pointer/parameter (as
 * if the user did not exist). CM_EUNAUTH without credentials. */
cm_err access_may_ask(struct cm_req *rq, const char *user_id, const char *pointer,
                      const char *parameter);

#endif
