/* cm_err.h: the one status type of the suite and its mapping tables.
 *
 * Every function that can fail returns a cm_err. Its numeric value travels
 * on the wire in RpcReply.code, and the edge maps it to an HTTP status
 * through cm_err_http_status(), the only such table. */
#ifndef CM_ERR_H
#define CM_ERR_H

typedef enum cm_err {
    CM_OK = 0,
    CM_EINVAL,    /* bad input from the caller: 400 */
    CM_ENOTFOUND, /* no such thing, or not visible to the caller: 404 */
    CM_ECONFLICT, /* unique key or state conflict: 409 */
    CM_EDENIED,   /* authenticated but not allowed, or bad credentials: 403 */
    CM_EUNAVAIL,  /* a dependency is down or has no responders: 503 */
    CM_ETIMEOUT,  /* a dependency did not answer in time: 504 */
    CM_ENOMEM,    /* out of memory in a library call: 500 */
    CM_EINTERNAL, /* a bug or an unexpected state: 500 */
    CM_EUNAUTH,   /* no or invalid credentials: 401 */
    CM_ETOOBIG,   /* input over a configured limit: 413 */
    CM_ENOTIMPL,  /* operation known but not built yet: 501 */
    CM_EMETHOD,   /* path known, method not: 405 */
    CM_ELIMIT,    /* too many attempts, retry later: 429 */
    CM_ELOCKED,   /* the account is locked for a while: 423 */
    CM__COUNT
} cm_err;

/* Short stable name of err, e.g. "not_found"; "internal" for unknown values.
 * Returns a static string. */
const char *cm_err_name(cm_err err);

/* HTTP status that err maps to (CM_OK → 200). */
int cm_err_http_status(cm_err err);

/* cm_err that an HTTP status best stands for (2xx → CM_OK). */
cm_err cm_err_from_http_status(int status);

/* Converts a wire value (RpcReply.code) to a cm_err; unknown → CM_EINTERNAL. */
cm_err cm_err_from_wire(int code);

#endif
