/* handlers_orgs.h: organizations, memberships, roles, API clients (handlers_orgs*.c). */
#ifndef IDENTITY_HANDLERS_ORGS_H
#define IDENTITY_HANDLERS_ORGS_H

#include "cm_service.h"

#endif
