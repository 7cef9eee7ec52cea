/* handlers_access.h: declarations of the authz handlers in handlers_access*.c. */
#ifndef AUTHZ_HANDLERS_ACCESS_H
#define AUTHZ_HANDLERS_ACCESS_H

#include "cm_service.h"

#endif
