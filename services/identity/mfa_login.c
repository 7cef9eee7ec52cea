/* mfa_login.c: the TOTP check at login (mfa.h). A code is accepted for the
 * user's enabled configuration within one step either side of now, and only
 * for a step after the last one used; accepting it records that step in the
 * same UPDATE that checks it, so a code can never be used twice, even by two
 * logins racing. */
#include <time.h>

#include "cm_totp.h"
#include "mfa.h"
#include "store_mfa.h"

cm_err mfa_login_check(const struct cm_keyring *ring, PGconn *pg, const char *user_id, const char *totp_code, enum mfa_login *out)
{
    struct mfa_totp cfg;
    int64_t step;
    cm_err err = store_mfa_enabled_of(ring, pg, user_id, &cfg);

    if (err == CM_ENOTFOUND) {
        *out = MFA_LOGIN_OK;
        return CM_OK;
    }
    if (err != CM_OK)
        return err;
    if (!totp_code || !totp_code[0]) {
        *out = MFA_LOGIN_REQUIRED;
        return CM_OK;
    }
    if (!cm_totp_verify(cfg.secret, cfg.secret_len, totp_code, (int64_t)time(NULL), cfg.last_step,
                        &step)) {
        *out = MFA_LOGIN_WRONG;
        return CM_OK;
    }
    err = store_mfa_consume(pg, cfg.id, step);
    if (err == CM_EDENIED) {
        *out = MFA_LOGIN_WRONG;
        return CM_OK;
    }
    if (err == CM_OK)
        *out = MFA_LOGIN_OK;
    return err;
}
