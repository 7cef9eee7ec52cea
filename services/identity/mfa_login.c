/* mfa_login.c: the TOTP check at login (mfa.h). Placeholder until the
 * mfa-totp configurations exist: nobody has TOTP enabled yet. */
#include "mfa.h"

cm_err mfa_login_check(PGconn *pg, const char *user_id, const char *totp_code,
                       enum mfa_login *out)
{
    (void)pg;
    (void)user_id;
    (void)totp_code;
    *out = MFA_LOGIN_OK;
    return CM_OK;
}
