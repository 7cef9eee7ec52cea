/* handlers_users_admin.c: a user's credentials and standing: change-password
 * (#150), disable (#153) and enable (#154). Revoking sessions here is what
 * makes the edge refuse the user's tokens (SessionRevoked). Passwords are
 * never logged. */
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "identity_state.h"
#include "login_throttle.h"
#include "password_hash.h"
#include "password_policy.h"

/* users_change's write for change-password: ctx is the new argon2id hash. */
static cm_err write_password(struct cm_req *rq, const char *id, void *ctx)
{
    return store_user_set_password(rq->w->pg, id, ctx);
}

/* Reads and checks the body of change-password: the new password against
 * the policy, the old one against the stored hash (403 when wrong). */
static cm_err read_passwords(struct cm_req *rq, const struct users_access *a, const json_t *body,
                             const char **new_pw, int *maintain)
{
    int need_old = !(cm_principal_platform_admin(rq) && !a->self);
    const char *old_pw = NULL, *context = NULL;
    struct pw_strength st;
    cm_err err;

    err = cm_json_str(rq, body, "", "new-password", 1, 0, PW_MAX_CHARS, new_pw);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "old-password", need_old, 0, PW_MAX_CHARS, &old_pw);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "maintain-active-sessions", 0, 0, maintain);
    /* context ("carium-support" in the seed's sample) is informational. */
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "context", 0, 1, 255, &context);
    if (err != CM_OK)
        return err;
    pw_strength_rate(*new_pw, strlen(*new_pw), &st);
    if (!pw_policy_accepts(&st))
        return cm_fail_at(rq, CM_EINVAL, "/new-password", NULL,
                          "new-password is too weak (%s)%s%s", st.label,
                          st.nsuggestions ? ": " : "", st.nsuggestions ? st.suggestions[0] : "");
    if (old_pw) { /* under the login throttle: not a way round it (login_throttle.h) */
        cm_err v = login_throttle_verify(rq, a->target.username, a->target.password_hash, old_pw);
        if (v == CM_EUNAUTH)
            return cm_fail_at(rq, CM_EDENIED, "/old-password", NULL, "old-password is wrong");
        if (v != CM_OK)
            return v;
    }
    return CM_OK;
}

cm_err users_change_password(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"new-password", "old-password",
                                          "maintain-active-sessions", "context", NULL};
    struct users_access a;
    const char *new_pw = NULL;
    char hash[PW_HASH_MAX];
    int maintain = 0;
    json_t *body = NULL;
    cm_err err = users_begin_write(rq, allowed, &a, &body);
    if (err == CM_OK)
        err = read_passwords(rq, &a, body, &new_pw, &maintain);
    if (err == CM_OK)
        err = pw_hash(identity_state_of(rq->w)->hashers, rq->w->cfg, new_pw, hash);
    if (err == CM_OK)
        err = users_change(rq, &a, write_password, hash, "password_changed",
                           maintain ? NULL : "password_changed");
    if (err == CM_OK)
        users_respond_null(rq, out);
    sodium_memzero(hash, sizeof hash);
    json_decref(body);
    return err;
}

/* users_change's write for disable and enable: ctx non-NULL enables. */
static cm_err write_enabled(struct cm_req *rq, const char *id, void *ctx)
{
    return store_user_set_enabled(rq->w->pg, id, ctx != NULL);
}

/* disable and enable: an admin of the user, never on oneself; body {}. */
static cm_err set_enabled(struct cm_req *rq, struct cm_resp *out, int enable)
{
    static const char *const allowed[] = {NULL};
    struct users_access a;
    json_t *body = NULL;
    cm_err err = users_access(rq, &a);

    if (err == CM_OK)
        err = users_require_write(rq, &a, 0);
    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, &body);
    json_decref(body);
    if (err == CM_OK)
        err = users_change(rq, &a, write_enabled, enable ? (void *)&a : NULL,
                           enable ? "enabled" : "disabled", enable ? NULL : "disabled");
    if (err == CM_OK)
        err = users_respond(rq, out, &a, 201, 0, "");
    return err;
}

cm_err users_disable(struct cm_req *rq, struct cm_resp *out)
{
    return set_enabled(rq, out, 0);
}

cm_err users_enable(struct cm_req *rq, struct cm_resp *out)
{
    return set_enabled(rq, out, 1);
}
