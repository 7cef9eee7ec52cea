/* login_throttle.c: failed-login throttling and locks (login_throttle.h). */
#include "login_throttle.h"

#include <math.h>

#include "password_hash.h"

int login_throttle_delay_s(int throttle_after, int failures)
{
    int extra = failures - throttle_after;

    if (failures < throttle_after)
        return 0;
    if (extra >= 6) /* 2^6 = 64 > the cap */
        return LOGIN_THROTTLE_MAX_DELAY_S;
    return 1 << extra;
}

cm_err login_throttle_decide(const struct cm_config *cfg, const struct attempts *a,
                             int *retry_after_s)
{
    int delay;

    *retry_after_s = 0;
    if (a->locked_for_s > 0) {
        *retry_after_s = (int)ceil(a->locked_for_s);
        return CM_ELOCKED;
    }
    if (a->failures <= 0 || a->since_last_s > cfg->login_lock_s)
        return CM_OK; /* nothing recorded, or forgotten */
    delay = login_throttle_delay_s(cfg->login_throttle_after, a->failures);
    if (delay > 0 && a->since_last_s < delay) {
        *retry_after_s = (int)ceil(delay - a->since_last_s);
        if (*retry_after_s < 1)
            *retry_after_s = 1;
        return CM_ELIMIT;
    }
    return CM_OK;
}

cm_err login_throttle_check(PGconn *pg, const struct cm_config *cfg, const char *username,
                            int *retry_after_s)
{
    struct attempts a;
    cm_err err = store_attempts_get(pg, username, &a);

    *retry_after_s = 0;
    if (err != CM_OK)
        return err;
    return login_throttle_decide(cfg, &a, retry_after_s);
}

cm_err login_throttle_failure(PGconn *pg, const struct cm_config *cfg, const char *username)
{
    int failures = 0;
    return store_attempts_fail(pg, username, cfg->login_lock_s, cfg->login_lock_after,
                               cfg->login_lock_s, &failures);
}

cm_err login_throttle_verify(PGconn *pg, const struct cm_config *cfg, const char *username,
                             const char *hash, const char *password, int *retry_after_s)
{
    cm_err err = login_throttle_check(pg, cfg, username, retry_after_s);

    if (err != CM_OK)
        return err;
    err = pw_verify(cfg, hash, password);
    if (err == CM_EUNAUTH) {
        cm_err rec = login_throttle_failure(pg, cfg, username);
        return rec == CM_OK ? CM_EUNAUTH : rec;
    }
    return err;
}
