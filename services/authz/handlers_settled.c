/* handlers_settled.c: the write operations followed by authz_settle
 * (handlers_settled.h). */
#include "handlers_settled.h"

#include "authz_state.h"
#include "handlers.h"

#define AUTHZ_SETTLED_DEF(fn)                                                                      \
    cm_err fn##_settled(struct cm_req *rq, struct cm_resp *out)                                    \
    {                                                                                              \
        cm_err err = fn(rq, out);                                                                  \
        authz_settle(rq->w);                                                                       \
        return err;                                                                                \
    }
AUTHZ_SETTLED_OPS(AUTHZ_SETTLED_DEF)
