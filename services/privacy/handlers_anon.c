/* handlers_anon.c: anonymous accesses (#2-#5). A person (or the platform
 * admin for anyone) makes an access for themselves: an allow-list of
 * {service, path, method} (anonymous_access.h) and an expiry. Its id is the
 * credential: proxy (#5) is open to anyone holding it, and relays one call
 * on the list, before expired-at, to the service that owns it (its
 * "<service>.http", as the edge would) with the access's own principal:
 * kind anonymous, session id = the access id, no user. Anything else is
 * refused (403) and logged (access id, method; never the body). Reads and
 * changes: the person and the platform admin; others 404. */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "anon_json.h"
#include "anonymous_access.h"
#include "cm_http.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_principal.h"
#include "handlers.h"
#include "store_anon.h"

#define TYPE "anonymous-accesses"
#define AT "/data/attributes"

/* Input: allowed-endpoints of attrs (required when required), normalised
 * as JSON text into *out (caller frees; NULL when absent). */
static cm_err endpoints_in(struct cm_req *rq, const json_t *attrs, int required, char **out)
{
    json_t *list = json_object_get(attrs, "allowed-endpoints"), *norm = NULL;
    char msg[160], ptr[96];
    int idx;

    *out = NULL;
    if (!list || json_is_null(list))
        return required ? cm_fail_at(rq, CM_EINVAL, AT "/allowed-endpoints", NULL,
                                     "allowed-endpoints is required")
                        : CM_OK;
    if (anon_endpoints_read(list, &norm, &idx, msg, sizeof msg) != CM_OK) {
        if (idx >= 0)
            snprintf(ptr, sizeof ptr, AT "/allowed-endpoints/%d", idx);
        else
            snprintf(ptr, sizeof ptr, AT "/allowed-endpoints");
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s", msg);
    }
    *out = json_dumps(norm, JSON_COMPACT);
    json_decref(norm);
    return CM_OK;
}

/* Access: rec is the caller's, or the caller is the platform admin. */
static int may_manage(struct cm_req *rq, const struct anon_rec *rec)
{
    return cm_principal_platform_admin(rq) || cm_principal_is_self(rq, rec->user_id);
}

cm_err anon_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"allowed-endpoints", "expired-at", "user-id", NULL};
    char user[40] = "", *eps = NULL;
    const char *exp = NULL;
    json_t *doc = NULL, *attrs;
    struct anon_rec *rec = NULL;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, AT, "user-id", 1, user);
    if (err == CM_OK && !cm_principal_platform_admin(rq) && !cm_principal_is_self(rq, user))
        err = cm_fail_at(rq, CM_ENOTFOUND, AT "/user-id", NULL, "no such user");
    if (err == CM_OK)
        err = endpoints_in(rq, attrs, 1, &eps);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, AT, "expired-at", 1, 0, 64, &exp);
    if (err == CM_OK && !(rec = malloc(sizeof *rec)))
        err = CM_ENOMEM;
    if (err == CM_OK) {
        err = store_anon_create(rq->w->pg, user, eps, exp, rec);
        if (err == CM_EINVAL)
            cm_fail_at(rq, err, AT "/expired-at", NULL, "expired-at must be a future date-time");
    }
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, cm_jsonapi_doc(anon_json(rec)));
    free(rec);
    free(eps);
    json_decref(doc);
    return err;
}

/* The access of the path that the caller may manage, into rec. */
static cm_err managed(struct cm_req *rq, struct anon_rec *rec)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = cm_principal_require(rq);
    if (err == CM_OK && !cm_uuid_valid(id))
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        err = store_anon_get(rq->w->pg, id, rec);
    if (err == CM_OK && !may_manage(rq, rec))
        err = CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        cm_fail(rq, err, "no such anonymous access");
    return err;
}

cm_err anon_read(struct cm_req *rq, struct cm_resp *out)
{
    struct anon_rec *rec = malloc(sizeof *rec);
    cm_err err = rec ? managed(rq, rec) : CM_ENOMEM;
    if (err == CM_OK)
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(anon_json(rec)));
    free(rec);
    return err;
}

cm_err anon_update(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"allowed-endpoints", "expired-at", NULL};
    struct anon_rec *rec = malloc(sizeof *rec);
    json_t *doc = NULL, *attrs;
    char *eps = NULL;
    const char *exp = NULL;
    cm_err err = rec ? managed(rq, rec) : CM_ENOMEM;

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, TYPE, rec->id, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = endpoints_in(rq, attrs, 0, &eps);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, AT, "expired-at", 0, 0, 64, &exp);
    if (err == CM_OK) {
        err = store_anon_update(rq->w->pg, rec->id, eps, exp, rec);
        if (err == CM_EINVAL)
            cm_fail_at(rq, err, AT "/expired-at", NULL, "expired-at must be a date-time");
    }
    if (err == CM_OK)
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(anon_json(rec)));
    free(eps);
    free(rec);
    json_decref(doc);
    return err;
}

/* params (an object of scalars) as a query string into q (cap bytes). */
static cm_err query_of(struct cm_req *rq, const json_t *params, char *q, size_t cap)
{
    const char *key;
    json_t *v;
    size_t n = 0;

    q[0] = '\0';
    json_object_foreach((json_t *)params, key, v)
    {
        char val[256];
        if (json_is_string(v))
            snprintf(val, sizeof val, "%s", json_string_value(v));
        else if (json_is_integer(v))
            snprintf(val, sizeof val, "%lld", (long long)json_integer_value(v));
        else if (json_is_boolean(v))
            snprintf(val, sizeof val, "%s", json_is_true(v) ? "true" : "false");
        else
            return cm_fail_at(rq, CM_EINVAL, "/params", NULL, "params are strings or numbers");
        for (const char *part[2] = {key, val}, **pp = part; pp < part + 2; pp++) {
            if (n + 2 >= cap)
                return cm_fail_at(rq, CM_EINVAL, "/params", NULL, "params are too long");
            if (pp == part + 1)
                q[n++] = '=';
            else if (n)
                q[n++] = '&';
            for (const unsigned char *c = (const unsigned char *)*pp; *c; c++) {
                if (n + 4 >= cap)
                    return cm_fail_at(rq, CM_EINVAL, "/params", NULL, "params are too long");
                if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                    (*c >= '0' && *c <= '9') || strchr("-._~[]", *c))
                    q[n++] = (char)*c;
                else
                    n += (size_t)snprintf(q + n, cap - n, "%%%02X", *c);
            }
            q[n] = '\0';
        }
    }
    return CM_OK;
}

/* Sends the call to "<service>.http" as the access's anonymous principal;
 * the answer's status and body (parsed, or null) into *status and *json. */
static cm_err relay(struct cm_req *rq, const char *service, const char *access_id,
                    const char *method, const char *path, const char *query, const json_t *body,
                    long *status, json_t **json)
{
    Envelope__HttpRequest hr = ENVELOPE__HTTP_REQUEST__INIT;
    Envelope__Principal pr = ENVELOPE__PRINCIPAL__INIT;
    Envelope__Header ct = ENVELOPE__HEADER__INIT, *hs[1] = {&ct};
    Envelope__HttpResponse *resp;
    natsMsg *reply = NULL;
    char subject[64], upper[8], *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    uint8_t *payload;
    size_t len, i;
    natsStatus s;

    for (i = 0; method[i] && i + 1 < sizeof upper; i++)
        upper[i] = (char)(method[i] >= 'a' && method[i] <= 'z' ? method[i] - 32 : method[i]);
    upper[i] = '\0';
    pr.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_ANONYMOUS;
    pr.session_id = (char *)access_id;
    hr.request_id = (char *)rq->http->request_id;
    hr.method = upper;
    hr.path = (char *)path;
    hr.query = (char *)query;
    hr.principal = &pr;
    hr.surface = cm_http_surface_of(path);
    if (text) {
        ct.name = "content-type";
        ct.value = "application/json";
        hr.headers = hs;
        hr.n_headers = 1;
        hr.body.data = (uint8_t *)text;
        hr.body.len = strlen(text);
    }
    snprintf(subject, sizeof subject, "%s.http", service);
    payload = cm_pack(&hr.base, &len);
    s = cm_nats_request(&reply, rq->w->nc, subject, payload, (int)len,
                        rq->w->cfg->request_timeout_ms);
    free(payload);
    free(text);
    if (s == NATS_NO_RESPONDERS)
        return cm_fail(rq, CM_EUNAVAIL, "%s is unavailable", service);
    if (s == NATS_TIMEOUT)
        return cm_fail(rq, CM_ETIMEOUT, "%s did not answer in time", service);
    if (s != NATS_OK)
        return cm_fail(rq, CM_EUNAVAIL, "%s is unavailable", service);
    resp = envelope__http_response__unpack(NULL, (size_t)natsMsg_GetDataLength(reply),
                                           (const uint8_t *)natsMsg_GetData(reply));
    natsMsg_Destroy(reply);
    if (!resp || resp->chunked) {
        envelope__http_response__free_unpacked(resp, NULL);
        return cm_fail(rq, CM_EINTERNAL, "the answer cannot be relayed");
    }
    *status = resp->status;
    *json = resp->body.len ? json_loadb((const char *)resp->body.data, resp->body.len, 0, NULL)
                           : NULL;
    if (!*json)
        *json = json_null();
    envelope__http_response__free_unpacked(resp, NULL);
    return CM_OK;
}

cm_err anon_proxy(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"endpoint", "method", "json", "params", NULL};
    const char *id = cm_req_param(rq, "id"), *endpoint = NULL, *method = NULL, *svc;
    char query[2048] = "";
    json_t *body = NULL, *jbody, *params, *answer = NULL;
    struct anon_rec *rec = NULL;
    long status = 0;
    cm_err err = CM_OK;

    /* the access id is the credential: anyone may call, unknown ids are 404 */
    if (!cm_uuid_valid(id))
        err = cm_fail(rq, CM_ENOTFOUND, "no such anonymous access");
    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, &body);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "endpoint", 1, 0, 255, &endpoint);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "method", 1, 0, 8, &method);
    if (err == CM_OK && strcasecmp(method, "delete") && strcasecmp(method, "get") &&
        strcasecmp(method, "patch") && strcasecmp(method, "post"))
        err = cm_fail_at(rq, CM_EINVAL, "/method", NULL, "method must be delete, get, patch or post");
    jbody = body ? json_object_get(body, "json") : NULL;
    params = body ? json_object_get(body, "params") : NULL;
    if (err == CM_OK && jbody && !json_is_object(jbody) && !json_is_null(jbody))
        err = cm_fail_at(rq, CM_EINVAL, "/json", NULL, "json must be an object");
    if (err == CM_OK && params && !json_is_null(params)) {
        if (!json_is_object(params))
            err = cm_fail_at(rq, CM_EINVAL, "/params", NULL, "params must be an object");
        else
            err = query_of(rq, params, query, sizeof query);
    }
    if (err == CM_OK && !(rec = malloc(sizeof *rec)))
        err = CM_ENOMEM;
    if (err == CM_OK) {
        err = store_anon_get(rq->w->pg, id, rec);
        if (err == CM_ENOTFOUND)
            cm_fail(rq, err, "no such anonymous access");
    }
    if (err == CM_OK && rec->expired) {
        cm_warn("anonymous access %s refused: expired", rec->id);
        err = cm_fail(rq, CM_EDENIED, "this anonymous access has expired");
    }
    if (err == CM_OK) {
        json_t *list = json_loads(rec->endpoints, 0, NULL);
        svc = anon_endpoint_match(list, method, endpoint);
        if (!svc) {
            cm_warn("anonymous access %s refused: %s not on its list", rec->id, method);
            err = cm_fail_at(rq, CM_EDENIED, "/endpoint", NULL,
                             "this endpoint and method are not allowed by this access");
        } else {
            err = relay(rq, svc, rec->id, method, endpoint, query,
                        jbody && json_is_object(jbody) ? jbody : NULL, &status, &answer);
        }
        json_decref(list);
    }
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, json_pack("{s:I,s:o}", "status-code", (json_int_t)status,
                                             "json", answer));
    free(rec);
    json_decref(body);
    return err;
}
