/* handlers_status.h: declarations of the authz handlers in handlers_status*.c. */
#ifndef AUTHZ_HANDLERS_STATUS_H
#define AUTHZ_HANDLERS_STATUS_H

#include "cm_service.h"

#endif
