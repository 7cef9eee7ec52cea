/* handlers_auth.h: login, tokens, sessions, password reset (handlers_auth.c). */
#ifndef IDENTITY_HANDLERS_AUTH_H
#define IDENTITY_HANDLERS_AUTH_H

#include "cm_service.h"

#endif
