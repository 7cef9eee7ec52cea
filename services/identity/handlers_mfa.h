/* handlers_mfa.h: TOTP multi-factor authentication (handlers_mfa.c). */
#ifndef IDENTITY_HANDLERS_MFA_H
#define IDENTITY_HANDLERS_MFA_H

#include "cm_service.h"

#endif
