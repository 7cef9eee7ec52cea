/* cm_admin.c: /healthz, /readyz and /metrics on a private libevent loop. */
#include "cm_admin.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"

struct cm_admin {
    struct event_base *base;
    struct evhttp *http;
    pthread_t thread;
    struct cm_metrics *metrics;
    cm_ready_fn ready;
    void *ctx;
};

static void reply_text(struct evhttp_request *req, int status, const char *ctype, const char *body,
                       size_t len)
{
    struct evbuffer *buf = evbuffer_new();
    if (!buf) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
    evbuffer_add(buf, body, len);
    evhttp_send_reply(req, status, status == 200 ? "OK" : "Service Unavailable", buf);
    evbuffer_free(buf);
}

/* Serves every path of the admin port. */
static void on_request(struct evhttp_request *req, void *arg)
{
    struct cm_admin *a = arg;
    const char *uri = evhttp_request_get_uri(req);
    char why[256] = "", body[320];

    if (!strcmp(uri, "/healthz")) {
        reply_text(req, 200, "text/plain", "ok\n", 3);
    } else if (!strcmp(uri, "/readyz")) {
        int ok = a->ready ? a->ready(a->ctx, why, sizeof why) : 1;
        int n = snprintf(body, sizeof body, "%s%s%s\n", ok ? "ready" : "not ready",
                         why[0] ? ": " : "", why);
        reply_text(req, ok ? 200 : 503, "text/plain", body, (size_t)n);
    } else if (!strcmp(uri, "/metrics")) {
        size_t len;
        char *text = cm_metrics_render(a->metrics, &len);
        reply_text(req, 200, "text/plain; version=0.0.4", text, len);
        free(text);
    } else {
        evhttp_send_error(req, 404, NULL);
    }
}

static void *run(void *arg)
{
    struct cm_admin *a = arg;
    event_base_dispatch(a->base);
    return NULL;
}

cm_err cm_admin_start(const char *host, int port, struct cm_metrics *m, cm_ready_fn ready,
                      void *ctx, struct cm_admin **out_admin)
{
    struct cm_admin *a = cm_xcalloc(1, sizeof *a);

    a->metrics = m;
    a->ready = ready;
    a->ctx = ctx;
    a->base = event_base_new();
    if (a->base)
        a->http = evhttp_new(a->base);
    if (!a->http || evhttp_bind_socket(a->http, host, (ev_uint16_t)port) != 0) {
        cm_error("admin port %s:%d: cannot listen", host, port);
        if (a->http)
            evhttp_free(a->http);
        if (a->base)
            event_base_free(a->base);
        free(a);
        return CM_EUNAVAIL;
    }
    evhttp_set_allowed_methods(a->http, EVHTTP_REQ_GET);
    evhttp_set_gencb(a->http, on_request, a);
    if (pthread_create(&a->thread, NULL, run, a) != 0) {
        evhttp_free(a->http);
        event_base_free(a->base);
        free(a);
        return CM_EINTERNAL;
    }
    *out_admin = a;
    return CM_OK;
}

void cm_admin_stop(struct cm_admin *a)
{
    if (!a)
        return;
    event_base_loopbreak(a->base);
    pthread_join(a->thread, NULL);
    evhttp_free(a->http);
    event_base_free(a->base);
    free(a);
}
