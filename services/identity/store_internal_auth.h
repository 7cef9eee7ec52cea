/* store_internal_auth.h: the identity accounts that stand for Kubernetes
 * service accounts (internal-auth, #53 and #158): one user per
 * "system:serviceaccount:<namespace>:<name>", made on first use. */
#ifndef IDENTITY_STORE_INTERNAL_AUTH_H
#define IDENTITY_STORE_INTERNAL_AUTH_H

#include <libpq-fe.h>

#include "cm_err.h"

/* The user whose username is username (classification "service"), made
 * (registered, no password, no organization) when there is none: its id
 * into id (40 bytes), *created whether this call made it, *enabled. Call
 * inside the caller's transaction. */
cm_err store_service_user(PGconn *pg, const char *username, char *id, int *created, int *enabled);

#endif
