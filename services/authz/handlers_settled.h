/* handlers_settled.h: the operations that change what the access rules
 * read (groups, their individuals, leaders and members, individuals), each
 * as its handler followed by authz_settle (authz_state.h): when the answer
 * leaves, the change is in the access index of every live authz copy, so the
 * caller's next check sees it whichever copy answers (read-your-writes). */
#ifndef AUTHZ_HANDLERS_SETTLED_H
#define AUTHZ_HANDLERS_SETTLED_H

#include "cm_service.h"

#define AUTHZ_SETTLED_OPS(X)                                                                       \
    X(groups_create)                                                                               \
    X(groups_update)                                                                               \
    X(groups_add_individuals)                                                                      \
    X(groups_add_leaders)                                                                          \
    X(groups_add_members)                                                                          \
    X(groups_move)                                                                                 \
    X(groups_remove_individuals)                                                                   \
    X(groups_remove_leaders)                                                                       \
    X(groups_remove_members)                                                                       \
    X(individuals_create)

#define AUTHZ_SETTLED_DECL(fn) cm_err fn##_settled(struct cm_req *rq, struct cm_resp *out);
AUTHZ_SETTLED_OPS(AUTHZ_SETTLED_DECL)
#undef AUTHZ_SETTLED_DECL

#endif
