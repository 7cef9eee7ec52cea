/* handlers_users.h: the users resource and account RPCs (handlers_users.c). */
#ifndef IDENTITY_HANDLERS_USERS_H
#define IDENTITY_HANDLERS_USERS_H

#include "cm_service.h"

#endif
