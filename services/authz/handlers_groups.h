/* handlers_groups.h: declarations of the authz handlers in handlers_groups*.c. */
#ifndef AUTHZ_HANDLERS_GROUPS_H
#define AUTHZ_HANDLERS_GROUPS_H

#include "cm_service.h"

#endif
