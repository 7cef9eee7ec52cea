/* synthetic_tokens.c: POST /v1/synthetic-user-tokens/ (#130): the platform
 * admin mints an access token for a user, on a session of its own marked
 * as the admin's doing (impersonator = the admin, so every service sees
 * who), with additional claims that can never override identity, roles
 * or organization (synthetic_claims.h). No refresh token is handed out. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_principal.h"
#include "handlers.h"
#include "identity_state.h"
#include "synthetic_claims.h"
#include "synthetic_tokens.h"
#include "tokens.h"

#define DEFAULT_TTL_S 1800 /* the seed's sample */
#define MAX_TTL_S 3600     /* as long as an access token may live */

/* The body's data object: user and organization (uuids or ""), lifetime,
 * claims (caller json_decref). */
struct synthetic_input {
    char user[CM_UUID_LEN + 1];
    char org[CM_UUID_LEN + 1];
    long ttl_s;
    json_t *claims;
};

static cm_err input_read(struct cm_req *rq, struct synthetic_input *in)
{
    static const char *const top[] = {"data", NULL};
    static const char *const inner[] = {"additional-claims", "expiration-secs", "organization-id",
                                        "user-id", NULL};
    char pointer[160], detail[200];
    json_t *body = NULL, *data, *v;
    const char *key;
    cm_err err = cm_req_json_object(rq, top, &body);

    memset(in, 0, sizeof *in);
    if (err != CM_OK)
        return err;
    data = json_object_get(body, "data");
    if (!json_is_object(data))
        err = cm_fail_at(rq, CM_EINVAL, "/data", NULL, "data (an object) is required");
    if (err == CM_OK)
        json_object_foreach(data, key, v)
        {
            int known = 0;
            for (const char *const *a = inner; *a && !known; a++)
                known = !strcmp(*a, key);
            if (!known && err == CM_OK) {
                snprintf(pointer, sizeof pointer, "/data/%.100s", key);
                err = cm_fail_at(rq, CM_EINVAL, pointer, NULL, "unknown field");
            }
        }
    if (err == CM_OK)
        err = cm_json_uuid(rq, data, "/data", "user-id", 1, in->user);
    if (err == CM_OK)
        err = cm_json_uuid(rq, data, "/data", "organization-id", 0, in->org);
    if (err == CM_OK)
        err = cm_json_int(rq, data, "/data", "expiration-secs", 0, 1, MAX_TTL_S, DEFAULT_TTL_S,
                          &in->ttl_s);
    if (err == CM_OK &&
        synthetic_claims_read(json_object_get(data, "additional-claims"), "/data/additional-claims",
                              &in->claims, pointer, sizeof pointer, detail, sizeof detail) != CM_OK)
        err = cm_fail_at(rq, CM_EINVAL, pointer, NULL, "%s", detail);
    json_decref(body);
    return err;
}

cm_err synthetic_tokens_create(struct cm_req *rq, struct cm_resp *out)
{
    const struct signing_key *key = &identity_state_of(rq->w)->signing;
    struct synthetic_input in;
    struct session_new sn = {0};
    struct login_rec rec = {0};
    char refresh[REFRESH_TOKEN_LEN + 1];
    uint8_t hash[STORE_HASH_BYTES];
    char *access = NULL;
    int64_t now, exp = 0;
    PGconn *pg = rq->w->pg;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && !cm_principal_platform_admin(rq))
        return cm_fail(rq, CM_EDENIED, "only the platform admin mints synthetic user tokens");
    if (err == CM_OK && cm_principal_of(rq)->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER)
        return cm_fail(rq, CM_EDENIED, "only a person mints synthetic user tokens");
    if (err == CM_OK)
        err = input_read(rq, &in);
    if (err != CM_OK)
        return err;
    sn.user_id = in.user;
    sn.organization_id = in.org[0] ? in.org : NULL;
    sn.impersonator_id = cm_principal_of(rq)->user_id;
    if (cm_uuid_valid(cm_principal_of(rq)->session_id))
        sn.impersonator_session_id = cm_principal_of(rq)->session_id;
    sn.interactive = 0;
    sn.access_ttl_s = (int)in.ttl_s;
    sn.refresh_ttl_s = (int)in.ttl_s;
    /* the session has a refresh token nobody is given: the token cannot be
     * renewed */
    tokens_refresh_new(refresh, hash);
    sodium_memzero(refresh, sizeof refresh);
    err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = store_session_create(pg, &sn, hash, &rec);
    err = cm_pg_end(pg, err);
    if (err == CM_ENOTFOUND)
        err = cm_fail_at(rq, err, in.org[0] ? "/data/organization-id" : "/data/user-id", NULL,
                         "no such enabled user (member of that organization)");
    now = (int64_t)time(NULL);
    if (err == CM_OK) {
        json_object_set_new(in.claims, "synthetic", json_true());
        access = tokens_access(key, &rec, in.claims, now, &exp);
        if (!access)
            err = cm_fail(rq, CM_EINTERNAL, "the token could not be signed");
    }
    if (err == CM_OK) {
        cm_info("synthetic user token minted: session %s", rec.session_id);
        cm_resp_json(out, rq, 201,
                     json_pack("{s:{s:s, s:I, s:s, s:s}}", "data", "access-token", access,
                               "expiration-secs", (json_int_t)(exp - now), "expiration-time",
                               rec.expiration_time, "session-id", rec.session_id));
    }
    free(access);
    json_decref(in.claims);
    store_login_free(&rec);
    return err;
}
