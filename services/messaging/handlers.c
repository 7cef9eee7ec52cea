/* handlers.c: messaging's HTTP operations on the clinical messaging surface. */
#include "handlers.h"

#include <string.h>

#include "cm_body.h"

cm_err util_test(struct cm_req *rq, struct cm_resp *out)
{
    const Envelope__HttpRequest *http = rq->http;
    const char *id = cm_req_param(rq, "id");
    json_t *params = NULL;
    const char *message = NULL;
    char defmsg[32], err[128];
    int is_error = 0;
    cm_err e;

    if (!http->principal || http->principal->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_ANONYMOUS)
        return cm_fail(rq, CM_EUNAUTH, "authentication required");
    if (strcmp(http->method, "GET") != 0) {
        e = cm_body_parse(cm_req_header(rq, "content-type"), (const char *)http->body.data,
                          http->body.len, &params, err, sizeof err);
        if (e != CM_OK)
            return cm_fail(rq, e, "%s", err);
        if (cm_body_has(params, "message")) {
            message = cm_body_get_str(params, "message");
            if (!message) {
                json_decref(params);
                return cm_fail(rq, CM_EINVAL, "message must be a string");
            }
        }
        is_error = cm_body_has(params, "error");
    }
    if (!message) {
        snprintf(defmsg, sizeof defmsg, "%s OK", http->method);
        message = defmsg;
    }
    cm_resp_json(out, rq, 200,
                 json_pack("{s:s, s:s, s:s}", "status", is_error ? "error" : "ok", "message",
                           message, "id", id));
    json_decref(params);
    return CM_OK;
}
