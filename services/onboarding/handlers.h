/* handlers.h: the onboarding daemon's operation and RPC tables, and its handlers.
 * onboarding owns sign-up, organization codes, invitations, onboarding requests, service documents and check-ins. */
#ifndef ONBOARDING_HANDLERS_H
#define ONBOARDING_HANDLERS_H

#include "cm_service.h"

/* Every operation of the API documents that onboarding owns; handler NULL = 501. */
extern const struct cm_op onboarding_ops[];

/* Typed RPCs served on "onboarding.rpc.<Method>". */
extern const struct cm_rpc onboarding_rpcs[];

#endif
