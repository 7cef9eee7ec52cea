/* cm_stream.h: bodies larger than one NATS message, on the handler side.
 *
 * A request body the edge streams (HttpRequest.body_streamed: the upload
 * routes of services/edge/routes.c) is not in the HttpRequest: the handler
 * pulls it piece by piece with cm_body_next. Each pull is an HttpResponse
 * with pull_to set, sent to the edge's reply subject; the edge answers with
 * one BodyChunk of at most CM_STREAM_CHUNK bytes on pull_to, read from the
 * client socket only then (the socket is not read further while nothing is
 * asked: the edge holds at most a window of the body). One pull is kept
 * ahead, so that the edge reads while the handler stores.
 *
 * A response may be written as a stream: cm_stream_begin, cm_stream_write
 * any number of times, cm_stream_end. It leaves in HttpResponse chunks of
 * CM_STREAM_CHUNK bytes (chunked, seq 0, 1, ..., last) that the edge relays
 * as a chunked HTTP reply; each carries ack_to, and the edge acknowledges a
 * chunk (StreamAck) once it is written to the client, so at most
 * CM_STREAM_WINDOW chunks are between the handler and the client: a slow
 * client slows the handler instead of filling the edge's memory.
 *
 * Both directions use the worker's side connection (a cm_wire_conn of its
 * own, subscribed to "_STREAM.<random>.>", opened at the first use), so the
 * worker's request connection is not read while the handler waits. Waits
 * end after CM_STREAM_WAIT_MS without progress (CM_ETIMEOUT). Everything
 * here runs on the worker's thread. */
#ifndef CM_STREAM_H
#define CM_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define CM_STREAM_CHUNK (256 * 1024) /* bytes per BodyChunk and per response chunk */
#define CM_STREAM_WINDOW 4           /* response chunks not yet written to the client */
#define CM_STREAM_WAIT_MS 30000      /* longest wait for a body piece or an acknowledgement */

struct cm_req;
struct cm_worker;

/* 1 when the request's body is streamed (pull it with cm_body_next), 0 when
 * it came whole in HttpRequest.body (cm_body_next then returns that once). */
int cm_body_streamed(const struct cm_req *rq);

/* The body's announced length (Content-Length) in bytes. */
uint64_t cm_body_length(const struct cm_req *rq);

/* The next piece of the request body into *data / *len (borrowed, valid
 * until the next call or the handler's end); *len is 0 once the body is
 * complete. CM_OK; CM_ETIMEOUT when the edge sent nothing for
 * CM_STREAM_WAIT_MS; CM_EUNAVAIL when the client went away or NATS failed
 * (the detail is recorded in rq; the answer will not reach anyone). */
cm_err cm_body_next(struct cm_req *rq, const uint8_t **data, size_t *len);

/* Starts a streamed response with status and content_type (copied).
 * After it the handler returns CM_OK whatever happens: the status is sent. */
cm_err cm_stream_begin(struct cm_req *rq, int status, const char *content_type);

/* Appends len bytes to the streamed response; a full chunk is sent, waiting
 * while CM_STREAM_WINDOW chunks are unacknowledged. CM_EUNAVAIL once the
 * client went away (stop producing), CM_ETIMEOUT when no acknowledgement came. */
cm_err cm_stream_write(struct cm_req *rq, const void *data, size_t len);

/* Sends what is buffered as the last chunk. Called by the framework when
 * the handler did not; a second call does nothing. */
cm_err cm_stream_end(struct cm_req *rq);

/* Ends the streamed response as broken off (a failure after the status went
 * out): the edge closes the client's connection without the final chunk, so
 * the client sees an incomplete answer. Called by the framework when the
 * handler fails after cm_stream_begin; a no-op after cm_stream_end. */
cm_err cm_stream_abort(struct cm_req *rq);

/* 1 once cm_stream_begin was called for rq (the framework then sends no
 * other answer). */
int cm_stream_started(const struct cm_req *rq);

/* Frees rq's stream state (framework, after the handler). */
void cm_stream_release(struct cm_req *rq);

/* Closes w's side connection (framework, when the worker stops). */
void cm_stream_worker_close(struct cm_worker *w);

#endif
