/* mfa.h: the TOTP second factor as login sees it (mfa_login.c). */
#ifndef IDENTITY_MFA_H
#define IDENTITY_MFA_H

#include <libpq-fe.h>

#include "cm_err.h"
#include "totp_keys.h"

enum mfa_login {
    MFA_LOGIN_OK = 0,   /* no enabled TOTP configuration, or totp_code is valid */
    MFA_LOGIN_REQUIRED, /* an enabled configuration exists and totp_code is NULL or "" */
    MFA_LOGIN_WRONG,    /* the code is wrong, or was already used */
};

/* Decides whether user_id may finish a login with totp_code (NULL when the
 * request had none). A valid code is consumed (a replay is MFA_LOGIN_WRONG).
 * ring opens the stored secret (identity's, identity_state.h). Result in
 * *out on CM_OK; database errors are returned. */
cm_err mfa_login_check(const struct cm_keyring *ring, PGconn *pg, const char *user_id,
                       const char *totp_code, enum mfa_login *out);

#endif
