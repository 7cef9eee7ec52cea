/* login_throttle.c: failed-login throttling and locks by username and
 * client address (login_throttle.h). */
#include "login_throttle.h"

#include <math.h>

#include "client_addr.h"
#include "identity_state.h"
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

cm_err login_throttle_decide_one(int throttle_after, int forget_s, int lockable,
                                 const struct attempts *a, int *retry_after_s)
{
    int delay;

    *retry_after_s = 0;
    if (lockable && a->locked_for_s > 0) {
        *retry_after_s = (int)ceil(a->locked_for_s);
        return CM_ELOCKED;
    }
    if (a->failures <= 0 || a->since_last_s > forget_s)
        return CM_OK; /* nothing recorded, or forgotten */
    delay = login_throttle_delay_s(throttle_after, a->failures);
    if (delay > 0 && a->since_last_s < delay) {
        *retry_after_s = (int)ceil(delay - a->since_last_s);
        if (*retry_after_s < 1)
            *retry_after_s = 1;
        return CM_ELIMIT;
    }
    return CM_OK;
}

cm_err login_throttle_decide(const struct cm_config *cfg, const struct login_record *r,
                             int *retry_after_s, enum login_refusal *why)
{
    cm_err err;

    *why = LOGIN_REFUSAL_NONE;
    *retry_after_s = 0;
    if (r->ip.locked_for_s > 0) {
        *retry_after_s = (int)ceil(r->ip.locked_for_s);
        *why = LOGIN_REFUSAL_ADDR_LOCKED;
        return CM_ELIMIT;
    }
    err = login_throttle_decide_one(cfg->login_throttle_after, cfg->login_lock_s, 1, &r->pair,
                                    retry_after_s);
    if (err == CM_OK && !r->known_addr)
        err = login_throttle_decide_one(cfg->login_user_throttle_after, cfg->login_lock_s, 0,
                                        &r->user, retry_after_s);
    if (err != CM_OK)
        *why = err == CM_ELOCKED ? LOGIN_REFUSAL_PAIR_LOCKED : LOGIN_REFUSAL_THROTTLED;
    return err;
}

cm_err login_throttle_check(struct cm_req *rq, const char *username, const char *what)
{
    char addr[CLIENT_ADDR_MAX];
    struct login_record r;
    enum login_refusal why;
    int retry = 0;
    cm_err err;

    client_addr_of(rq, addr);
    err = store_login_record(rq->w->pg, username, addr, &r);
    if (err != CM_OK)
        return err;
    err = login_throttle_decide(rq->w->cfg, &r, &retry, &why);
    if (err == CM_OK)
        return CM_OK;
    rq->retry_after_s = retry;
    switch (why) {
    case LOGIN_REFUSAL_ADDR_LOCKED:
        return cm_fail(rq, err, "too many failed logins from this address; retry in %d s", retry);
    case LOGIN_REFUSAL_PAIR_LOCKED:
        return cm_fail(rq, err, "account locked; retry in %d s", retry);
    default:
        return cm_fail(rq, err, "too many failed %s; retry in %d s", what, retry);
    }
}

cm_err login_throttle_failure(PGconn *pg, const struct cm_config *cfg, const char *username,
                              const char *addr)
{
    return store_login_fail(pg, username, addr, cfg->login_lock_s, cfg->login_lock_after,
                            cfg->login_addr_lock_after, cfg->login_lock_s);
}

cm_err login_throttle_success(PGconn *pg, const char *username, const char *addr)
{
    return store_login_success(pg, username, addr);
}

cm_err login_throttle_verify(struct cm_req *rq, const char *username, const char *hash,
                             const char *password)
{
    char addr[CLIENT_ADDR_MAX];
    cm_err err = login_throttle_check(rq, username, "password checks");

    if (err != CM_OK)
        return err;
    err = pw_verify(identity_state_of(rq->w)->hashers, rq->w->cfg, hash, password);
    if (err == CM_EUNAUTH) {
        cm_err rec;
        client_addr_of(rq, addr);
        rec = login_throttle_failure(rq->w->pg, rq->w->cfg, username, addr);
        return rec == CM_OK ? CM_EUNAUTH : rec;
    }
    return err;
}
