/* cm_service.h: the skeleton every daemon (except the edge) runs.
 *
 * cm_service_main does, in order: config → log → Postgres role, schema and
 * migrations → admin port → NATS → outbox relay (cm_outbox.h) →
 * HANDLER_THREADS workers → on_serving hook → wait for SIGTERM → on_stop
 * hook → stop the relay → drain → free. Each worker is a thread with its own
 * NATS connection (cm_wire.h: no nats.c on the request path), queue-
 * subscribed to "<svc>.>" in queue group "<svc>", and its own PGconn: it
 * reads a batch of requests, handles them one after another on its thread
 * and writes their replies together; the Postgres statements of the reads
 * among them (operations written with cm_batch.h) go to Postgres together,
 * in one pipeline, once the batch is read. Handlers of one worker never run
 * concurrently, handlers of different workers do. Running more copies of the
 * daemon adds workers to the same queue group. A worker PINGs its
 * connection every 2 s and reconnects after two PINGs in a row go
 * unanswered (cm_wire_client_pump). POST, PUT and PATCH with an
 * Idempotency-Key header go through cm_idempotency.h around the handler.
 * The daemon's nats.c
 * connection (cm_worker.nc) is for what handlers send themselves: typed RPCs
 * to other services, and the outbox relay.
 *
 * Subjects: "<svc>.http" carries HttpRequest from the edge and is dispatched
 * by the service's cm_op table; "<svc>.rpc.<Method>" carries RpcRequest and
 * is dispatched by its cm_rpc table.
 *
 * Slow work (password hashing) never runs on a request worker: operations
 * and RPCs named in def->pool_ops / pool_rpcs are handed, as they arrived,
 * to a bounded pool (cm_pool.h) of PWHASH_THREADS threads, each with its own
 * PGconn and its own NATS connection for the reply (the service runs its
 * CPU-heavy part at PWHASH_NICE itself: identity's password_hash.c).
 * When PWHASH_QUEUE of them already wait for a thread, the request worker
 * answers at once: 503 with Retry-After in the surface's style, or
 * CM_EUNAVAIL to an RPC. */
#ifndef CM_SERVICE_H
#define CM_SERVICE_H

#include <jansson.h>
#include <libpq-fe.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_config.h"
#include "cm_err.h"
#include "cm_http.h"
#include "cm_router.h"
#include "cm_wire.h"
#include "envelope.pb-c.h"

struct cm_service;

/* One handler thread's world. Handlers may use pg freely: no other thread
 * touches it. */
struct cm_worker {
    struct cm_service *svc;
    const struct cm_config *cfg;
    natsConnection *nc; /* shared by all workers, for RPCs handlers make; nats.c is thread-safe */
    PGconn *pg;         /* this worker's own connection; NULL without a database */
    int index;
    struct cm_wire_conn *wire; /* requests in, replies out; this worker's thread only */
    pthread_t thread;
    char rpc_detail[256]; /* set by cm_rpc_fail, sent as RpcReply.message */
    void *state; /* the service's state (cm_service_def.state_new), shared by all workers */
    int pooled;           /* 1 on a thread of the slow-work pool (cm_service_def.pool_ops) */
    struct cm_wire_conn *side; /* streamed bodies (cm_stream.h); this worker's thread only */
    char side_prefix[48];      /* "_STREAM.<random>", its subscription is "<prefix>.>" */
    uint32_t side_seq;         /* numbers the streams of this worker */
    struct cm_batch *batch; /* reads waiting for the end of a pump (cm_batch.h); NULL on
                             * the slow-work pool */
};

/* One HTTP request in a handler. Everything here is borrowed and valid until
 * the handler returns. */
struct cm_req {
    struct cm_worker *w;
    const Envelope__HttpRequest *http;
    const struct cm_op *op;
    int nparams;
    char param_names[CM_MAX_PARAMS][32];
    char param_values[CM_MAX_PARAMS][256]; /* percent-decoded */
    /* error details, set through cm_fail / cm_fail_at */
    char detail[256];
    char pointer[128];
    char parameter[64];
    int retry_after_s; /* > 0: the reply carries Retry-After (cm_fail_retry) */
    const char *reply;        /* the edge's reply subject (cm_stream.h) */
    struct cm_stream *stream; /* streamed body or response state; NULL until used */
    /* reads whose statement waits on the worker's batch (cm_batch.h) */
    int can_defer;        /* a GET on a worker with a batch: it may wait */
    int deferred;         /* 1: cm_read_handle queued it; cm_batch_run answers it */
    char reply_buf[256];  /* reply's copy while it waits */
    double start_s;       /* when it arrived (metrics) */
    const char *route;    /* its operation's metrics name */
};

/* The reply a handler fills. body is owned by the response (freed by the
 * framework); content_type is a static string. */
struct cm_resp {
    int status;
    char *body;
    size_t len;
    const char *content_type;
    char *location; /* a redirect's Location header, or NULL; owned (cm_resp_redirect) */
};

/* Value of path parameter name ("id" for "{id}"); NULL when absent. */
const char *cm_req_param(const struct cm_req *rq, const char *name);

/* Value of request header name (lower-case); NULL when absent. Borrowed. */
const char *cm_req_header(const struct cm_req *rq, const char *name);

/* Records a client-facing detail (printf-style, no secrets or personal data)
 * and returns err, for `return cm_fail(rq, CM_EINVAL, "...")`. */
cm_err cm_fail(struct cm_req *rq, cm_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As cm_fail, also naming the JSON pointer or query parameter at fault
 * (either may be NULL), shown in JSON:API errors' "source". */
cm_err cm_fail_at(struct cm_req *rq, cm_err err, const char *pointer, const char *parameter,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* As cm_fail, and the reply carries "Retry-After: retry_after_s" (when > 0),
 * for CM_ELIMIT and CM_EUNAVAIL answers. */
cm_err cm_fail_retry(struct cm_req *rq, cm_err err, int retry_after_s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parses the request body as a JSON object (Content-Type absent, or JSON),
 * checking that it has no member outside allowed (NULL-terminated names;
 * allowed NULL accepts any member).
 * On CM_OK *out_obj is the object (caller json_decref). Otherwise the error
 * detail and JSON pointer are recorded in rq: CM_EINVAL for a body that is
 * not JSON, not an object, or has an unknown member. */
cm_err cm_req_json_object(struct cm_req *rq, const char *const *allowed, json_t **out_obj);

/* Sets out to status with doc serialised in the request's surface style;
 * steals the reference to doc. */
void cm_resp_json(struct cm_resp *out, const struct cm_req *rq, int status, json_t *doc);

/* Sets out to a redirect (status 301, 302, 303, 307 or 308) to url: the
 * Location header (sent with Cache-Control: no-store) and, for a client
 * that does not follow it, the document {"data": null, "meta": {"location":
 * url}} in the request's surface style. The one way to answer a redirect;
 * url is copied (the copy is freed by the framework). */
void cm_resp_redirect(struct cm_resp *out, const struct cm_req *rq, int status, const char *url);

/* Typed RPC handler: req is borrowed. On CM_OK it may set *out_payload to a
 * malloc'd packed reply message (freed by the framework) and *out_len. */
typedef cm_err (*cm_rpc_handler)(struct cm_worker *w, const Envelope__RpcRequest *req,
                                 uint8_t **out_payload, size_t *out_len);

/* Records a detail for the failing typed RPC in progress on w (no secrets
 * or personal data: the caller may show it to its client) and returns err,
 * for `return cm_rpc_fail(w, CM_EINVAL, "...")`. The caller reads it in
 * RpcReply.message; without one, message is cm_err_name(code). */
cm_err cm_rpc_fail(struct cm_worker *w, cm_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct cm_rpc {
    const char *method; /* "AuthenticateApiKey" for subject "<svc>.rpc.AuthenticateApiKey" */
    cm_rpc_handler handler;
};

struct cm_service_def {
    const char *name;              /* "identity" */
    const struct cm_op *ops;       /* HTTP operations, {NULL}-terminated; may be NULL */
    const struct cm_rpc *rpcs;     /* typed RPCs, {NULL}-terminated; may be NULL */
    /* After migrations, before serving, with a connection of the service
     * role (e.g. to ensure bootstrap data). libsodium is initialised
     * before (cm_service_main calls sodium_init once). May be NULL. */
    cm_err (*on_start)(const struct cm_config *cfg, PGconn *pg);
    /* Once every worker is subscribed, just before the daemon reports
     * serving: starts the service's background work (e.g. an event
     * consumer thread), which may keep cfg and nc (borrowed; both outlive
     * on_stop), and stores what it needs in *state. A failure stops the
     * start like any other (on_stop is then not called). May be NULL. */
    cm_err (*on_serving)(const struct cm_config *cfg, natsConnection *nc, void **state);
    /* At SIGTERM, after the daemon stops reporting serving and before the
     * outbox relay stops and NATS drains: stops what on_serving started and
     * frees state. Called only after on_serving succeeded. May be NULL. */
    void (*on_stop)(void *state);
    /* After NATS connects and before the workers start: builds the
     * service-wide state (caches, indexes) that every request reaches as
     * rq->w->state (borrowed; thread-safe as the service makes it). nc is
     * borrowed and outlives state_free. A failure stops the start. May be
     * NULL (w->state is then NULL). */
    cm_err (*state_new)(const struct cm_config *cfg, natsConnection *nc, void **out_state);
    /* After the workers and on_stop end, before NATS closes: frees state. */
    void (*state_free)(void *state);
    /* Names of operations (cm_op.name) and typed RPC methods whose handlers
     * do slow CPU work (password hashing): they run on the slow-work pool,
     * never on a request worker. NULL-terminated; NULL: none. */
    const char *const *pool_ops;
    const char *const *pool_rpcs;
};

/* Runs the daemon described by def until SIGTERM or SIGINT. Returns the
 * process exit status (0 after a clean drain). */
int cm_service_main(const struct cm_service_def *def);

#endif
