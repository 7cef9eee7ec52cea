/* login_address.h: logins from a chosen loopback source address, shared by
 * the login_address suites (test_login_address.c). */
#ifndef IT_LOGIN_ADDRESS_H
#define IT_LOGIN_ADDRESS_H

#include <libpq-fe.h>

#include "harness.h"

/* POST /v1/login/ from source address from ("127.0.0.2"), with an
 * X-Forwarded-For header when xff is not NULL. Returns the status; the
 * response goes to *out when out is not NULL (it_resp_release it). */
long la_login(const char *from, const char *username, const char *password, const char *xff,
              struct it_resp *out);

/* Moves username's last failures 70 s back (past any throttle delay). */
void la_age(PGconn *pg, const char *username);

#endif
