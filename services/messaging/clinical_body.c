/* clinical_body.c: parameters and reply shapes of the clinical messaging
 * API (clinical_body.h). */
#include "clinical_body.h"

#include <string.h>
#include <strings.h>

#include "cm_body.h"

cm_err clinical_params(struct cm_req *rq, json_t **out_params)
{
    const Envelope__HttpRequest *http = rq->http;
    json_t *q = NULL, *b = NULL;
    char why[128];
    cm_err err = cm_body_parse_form(http->query, strlen(http->query), &q, why, sizeof why);

    if (err != CM_OK)
        return cm_fail(rq, err, "query string: %s", why);
    if (strcmp(http->method, "GET") && strcmp(http->method, "DELETE") && http->body.len) {
        err = cm_body_parse(cm_req_header(rq, "content-type"), (const char *)http->body.data,
                            http->body.len, &b, why, sizeof why);
        if (err != CM_OK) {
            json_decref(q);
            return cm_fail(rq, err, "%s", why);
        }
        json_object_update(q, b);
        json_decref(b);
    }
    *out_params = q;
    return CM_OK;
}

int clinical_body_is_json(struct cm_req *rq)
{
    return cm_body_kind_of(cm_req_header(rq, "content-type")) == CM_BODY_JSON;
}

const char *clinical_str(const json_t *p, const char *key)
{
    return cm_body_get_str(p, key);
}

int clinical_flag(const json_t *p, const char *key, int def, int *out)
{
    static const char *const yes[] = {"true", "y", "yes", "1", NULL};
    static const char *const no[] = {"false", "n", "no", "0", NULL};
    const json_t *v = json_object_get(p, key);
    const char *s;

    if (!v) {
        *out = def;
        return 0;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    s = clinical_str(p, key);
    if (!s)
        return -1;
    for (int i = 0; yes[i]; i++)
        if (!strcasecmp(s, yes[i])) {
            *out = 1;
            return 0;
        }
    for (int i = 0; no[i]; i++)
        if (!strcasecmp(s, no[i])) {
            *out = 0;
            return 0;
        }
    return -1;
}

int clinical_list(const json_t *p, const char *key, json_t **out)
{
    const json_t *v = json_object_get(p, key);
    size_t i;
    json_t *e;

    *out = NULL;
    if (!v)
        return 0;
    if (json_is_string(v)) {
        *out = json_pack("[O]", v);
        return 0;
    }
    if (!json_is_array(v))
        return -1;
    json_array_foreach(v, i, e)
        if (!json_is_string(e))
            return -1;
    *out = json_deep_copy(v);
    return 0;
}

void clinical_reply_ok(struct cm_req *rq, struct cm_resp *out, int status, json_t *extra)
{
    json_t *doc = json_pack("{s:s}", "status", "ok");

    if (extra)
        json_object_update(doc, extra);
    json_decref(extra);
    cm_resp_json(out, rq, status, doc);
}

void clinical_reply_invalid(struct cm_req *rq, struct cm_resp *out, json_t *reason)
{
    cm_resp_json(out, rq, 400,
                 json_pack("{s:s, s:s, s:o}", "status", "error", "message", "Invalid Request",
                           "reason", reason ? reason : json_object()));
}

void clinical_reply_error(struct cm_req *rq, struct cm_resp *out, int status, const char *message)
{
    cm_resp_json(out, rq, status, json_pack("{s:s, s:s}", "status", "error", "message", message));
}

void clinical_reason(json_t **reason, const char *key, const char *why)
{
    if (!*reason)
        *reason = json_object();
    json_object_set_new(*reason, key, json_string(why));
}
