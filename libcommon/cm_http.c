/* cm_http.c: surfaces, error bodies in each surface's style, reason phrases. */
#include "cm_http.h"

#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

Envelope__Surface cm_http_surface_of(const char *path)
{
    if (!strncmp(path, "/v1/", 4) || !strncmp(path, "/v2/", 4) || !strcmp(path, "/v1") ||
        !strcmp(path, "/v2"))
        return ENVELOPE__SURFACE__SURFACE_JSONAPI;
    if (!strncmp(path, "/api/", 5) || !strcmp(path, "/api"))
        return ENVELOPE__SURFACE__SURFACE_CUREATR;
    if (!strncmp(path, "/configure/", 11) || !strcmp(path, "/configure"))
        return ENVELOPE__SURFACE__SURFACE_OKAYA;
    return ENVELOPE__SURFACE__SURFACE_UNKNOWN;
}

char *cm_http_dump(Envelope__Surface surface, const json_t *json, size_t *out_len)
{
    size_t flags = surface == ENVELOPE__SURFACE__SURFACE_CUREATR ? 0 : JSON_COMPACT;
    char *s = json_dumps(json, flags | JSON_ENCODE_ANY);

    if (!s)
        s = cm_xstrdup("{}");
    if (out_len)
        *out_len = strlen(s);
    return s;
}

char *cm_http_error_body(Envelope__Surface surface, int status, const char *code,
                         const char *detail, const struct cm_http_source *source,
                         size_t *out_len)
{
    json_t *doc;
    char *out;

    if (!detail)
        detail = cm_http_reason(status);
    switch (surface) {
    case ENVELOPE__SURFACE__SURFACE_CUREATR:
        doc = json_pack("{s:s, s:s}", "status", "error", "message", detail);
        break;
    case ENVELOPE__SURFACE__SURFACE_OKAYA:
        doc = json_pack("{s:s}", "error", detail);
        break;
    default: {
        json_t *err = json_pack("{s:i, s:s, s:s}", "status", status, "code", code ? code : "error",
                                "detail", detail);
        if (err && source && (source->pointer || source->parameter)) {
            json_t *src = json_object();
            if (source->pointer)
                json_object_set_new(src, "pointer", json_string(source->pointer));
            if (source->parameter)
                json_object_set_new(src, "parameter", json_string(source->parameter));
            json_object_set_new(err, "source", src);
        }
        doc = err ? json_pack("{s:[o]}", "errors", err) : NULL;
        break;
    }
    }
    if (!doc) /* detail was not valid UTF-8: never echo it */
        return cm_http_error_body(surface, status, code, cm_http_reason(status), NULL, out_len);
    out = cm_http_dump(surface, doc, out_len);
    json_decref(doc);
    return out;
}

const char *cm_http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}
