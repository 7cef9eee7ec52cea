/* bootstrap_admin.h: the platform administrator that identity ensures at
 * start from BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD. */
#ifndef IDENTITY_BOOTSTRAP_ADMIN_H
#define IDENTITY_BOOTSTRAP_ADMIN_H

#include <libpq-fe.h>

#include "cm_config.h"
#include "cm_err.h"

/* When BOOTSTRAP_ADMIN_EMAIL is set, makes sure a user with username =
 * the lower-cased email exists and is a registered, email-verified,
 * enabled platform admin (member of no organization: it is platform-wide)
 * whose password is BOOTSTRAP_ADMIN_PASSWORD (rehashed only when it does
 * not verify). One transaction; the UserChanged event "created" (or
 * "updated" when an existing user had to be changed) goes to the outbox in
 * it. CM_OK without doing anything when the email is not set; CM_EINVAL
 * when the password is empty. The password is never logged. */
cm_err bootstrap_admin_ensure(const struct cm_config *cfg, PGconn *pg);

#endif
