/* handlers_impersonation.c: impersonation requests (#32-#35) and their end
 * (impersonation.h): the approval rules, the impersonation session (its
 * tokens carry "imp", its login info impersonated-by) and the user
 * activities "imps" / "impe" that attribute it. */
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_principal.h"
#include "handlers.h"
#include "identity_state.h"
#include "impersonation.h"
#include "impersonation_json.h"
#include "store_impersonation.h"
#include "store_users.h"
#include "tokens.h"

#define ATTR "/data/attributes"

/* The visibility of requests for the caller. */
static void scope_of(const struct cm_req *rq, struct imp_query *q)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    memset(q, 0, sizeof *q);
    q->all = cm_principal_platform_admin(rq);
    if (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && cm_uuid_valid(p->user_id))
        snprintf(q->self, sizeof q->self, "%s", p->user_id);
}

/* The approval rules (impersonation.h) for the caller and user target
 * (pointer names the attribute, or NULL); the organization the session is
 * to be in into org (40 bytes, "" = the user's default). */
static cm_err may_impersonate(struct cm_req *rq, const char *target, const char *pointer, char *org)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    struct user_target t;
    int platform = cm_principal_platform_admin(rq);
    cm_err err;

    org[0] = '\0';
    if (p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER)
        return cm_fail(rq, CM_EDENIED, "only a person impersonates, not an API client");
    if (p->impersonator_id[0])
        return cm_fail(rq, CM_EDENIED, "no impersonation from an impersonation session");
    if (!platform && !cm_principal_org_admin(rq, p->organization_id))
        return cm_fail_at(rq, CM_ENOTFOUND, pointer, NULL, "no such user");
    if (cm_principal_is_self(rq, target))
        return cm_fail_at(rq, CM_EINVAL, pointer, NULL, "one does not impersonate oneself");
    if (!platform)
        snprintf(org, 40, "%s", p->organization_id);
    err = store_user_target(rq->w->pg, target, org, p->user_id, &t);
    if (err == CM_OK && !platform && !t.in_org)
        err = CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, pointer, NULL, "no such user");
    if (err != CM_OK)
        return err;
    if (t.is_platform_admin)
        return cm_fail_at(rq, CM_EDENIED, pointer, NULL, "a platform admin is never impersonated");
    if (!platform && t.foreign_orgs > 0)
        return cm_fail_at(rq, CM_EDENIED, pointer, NULL,
                          "the user belongs to organizations you do not administer");
    if (!t.enabled)
        return cm_fail_at(rq, CM_ECONFLICT, pointer, NULL, "the account is disabled");
    return CM_OK;
}

cm_err imp_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[created-by]", "filter[user-email]",
                                        "filter[user-id]", NULL};
    struct imp_query q;
    struct imp_list res = {0};
    cm_err err = cm_principal_require(rq);

    scope_of(rq, &q);
    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[created-by]", q.created_by);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[user-id]", q.user_id);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[user-email]", 255, q.user_email, sizeof q.user_email);
    if (err == CM_OK)
        err = store_imps_list(rq->w->pg, &q, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(imp_json_list(&res)));
    store_imp_list_free(&res);
    return CM_OK;
}

cm_err imp_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"user-id", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    char user[CM_UUID_LEN + 1], org[40];
    struct imp_list res = {0};
    json_t *doc = NULL, *attrs;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "impersonation-requests", NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "user-id", 1, user);
    json_decref(doc);
    if (err == CM_OK)
        err = may_impersonate(rq, user, ATTR "/user-id", org);
    if (err == CM_OK)
        err = store_imp_create(rq->w->pg, user, p->user_id, org, IMPERSONATION_REQUEST_TTL_S, &res);
    if (err != CM_OK)
        return err;
    cm_info("impersonation request %s approved", res.items[0].id);
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(imp_json_resource(&res.items[0])));
    store_imp_list_free(&res);
    return CM_OK;
}

/* The request of the path into res when the caller sees it (404); with
 * lock, inside a transaction, its row is locked. */
static cm_err imp_of_path(struct cm_req *rq, int lock, struct imp_list *res)
{
    const char *id = cm_req_param(rq, "id");
    struct imp_query q;
    cm_err err;

    scope_of(rq, &q);
    err = id && cm_uuid_valid(id) ? store_imp_get(rq->w->pg, id, &q, lock, res) : CM_ENOTFOUND;
    return err == CM_ENOTFOUND ? cm_fail(rq, err, "no such impersonation request") : err;
}

cm_err imp_read(struct cm_req *rq, struct cm_resp *out)
{
    struct imp_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = imp_of_path(rq, 0, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(imp_json_resource(&res.items[0])));
    store_imp_list_free(&res);
    return CM_OK;
}

/* The session of the impersonation of r: its terms from the body. */
static cm_err session_of(struct cm_req *rq, const struct imp_rec *r, struct session_new *sn)
{
    static const char *const allowed[] = {"access-token-expiration-seconds",
                                          "refresh-token-expiration-seconds", NULL};
    long access = 0, refresh = 0;
    json_t *body = NULL;
    cm_err err = cm_req_json_object(rq, allowed, &body);

    if (err == CM_OK)
        err = cm_json_int(rq, body, "", "access-token-expiration-seconds", 0, 0, 3600, 0, &access);
    if (err == CM_OK)
        err =
            cm_json_int(rq, body, "", "refresh-token-expiration-seconds", 0, 0, 10800, 0, &refresh);
    json_decref(body);
    if (err != CM_OK)
        return err;
    memset(sn, 0, sizeof *sn);
    sn->user_id = r->user_id;
    sn->organization_id = r->organization_id[0] ? r->organization_id : NULL;
    sn->impersonator_id = cm_principal_of(rq)->user_id;
    if (cm_uuid_valid(cm_principal_of(rq)->session_id))
        sn->impersonator_session_id = cm_principal_of(rq)->session_id;
    sn->interactive = 1;
    sn->access_ttl_s = rq->w->cfg->access_token_ttl_s;
    if (access > 0 && access < sn->access_ttl_s)
        sn->access_ttl_s = (int)access;
    sn->refresh_ttl_s = rq->w->cfg->refresh_token_ttl_s;
    if (refresh > 0 && refresh < sn->refresh_ttl_s)
        sn->refresh_ttl_s = (int)refresh;
    return CM_OK;
}

cm_err imp_impersonate(struct cm_req *rq, struct cm_resp *out)
{
    PGconn *pg = rq->w->pg;
    struct imp_list res = {0};
    struct session_new sn;
    const struct imp_rec *r;
    const char *session;
    char org[40];
    json_t *resp = NULL;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = imp_of_path(rq, 1, &res);
    r = err == CM_OK ? &res.items[0] : NULL;
    if (err == CM_OK && !cm_principal_is_self(rq, r->created_by))
        err = cm_fail(rq, CM_EDENIED, "only who made the request impersonates with it");
    if (err == CM_OK && strcmp(r->state, "approved") != 0)
        err = cm_fail(rq, CM_ECONFLICT, "the request is %s", r->state);
    /* the rules again: the user may have changed since */
    if (err == CM_OK)
        err = may_impersonate(rq, r->user_id, NULL, org);
    if (err == CM_OK)
        err = session_of(rq, r, &sn);
    if (err == CM_OK) {
        err = tokens_issue(&identity_state_of(rq->w)->signing, pg, &sn, &resp);
        if (err == CM_ENOTFOUND)
            err = cm_fail(rq, CM_ECONFLICT, "the user can no longer be impersonated");
    }
    session = resp ? json_string_value(json_object_get(resp, "session-id")) : NULL;
    if (err == CM_OK && !session)
        err = cm_fail(rq, CM_EINTERNAL, "no session was made");
    if (err == CM_OK)
        err = store_imp_used(pg, r->id, session);
    if (err == CM_OK)
        err = store_imp_activity(pg, r->user_id, "imps", r->created_by, session);
    err = cm_pg_end(pg, err);
    if (err == CM_OK) {
        cm_info("impersonation request %s used: session %s", r->id, session);
        auth_respond(rq, out, resp);
    } else {
        json_decref(resp);
    }
    store_imp_list_free(&res);
    return err;
}

cm_err imp_end(struct cm_req *rq, struct cm_resp *out)
{
    PGconn *pg = rq->w->pg;
    struct imp_list res = {0}, now = {0};
    struct imp_query q;
    const struct imp_rec *r = NULL;
    int ended = 0, revoked = 0;
    int64_t at = 0;
    json_t *body = NULL;
    cm_err err = cm_principal_require(rq);

    static const char *const none[] = {NULL};

    if (err == CM_OK)
        err = cm_req_json_object(rq, none, &body);
    json_decref(body);
    if (err == CM_OK)
        err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = imp_of_path(rq, 1, &res);
    r = err == CM_OK ? &res.items[0] : NULL;
    /* the impersonation session itself names the user, with the requester
     * as impersonator: it may end itself */
    if (err == CM_OK && !cm_principal_platform_admin(rq) &&
        !cm_principal_is_self(rq, r->created_by) && !cm_principal_is_self(rq, r->user_id))
        err = cm_fail(rq, CM_EDENIED, "only the requester, the user or the platform admin ends it");
    if (err == CM_OK)
        err = store_imp_ended(pg, r->id, &ended);
    if (err == CM_OK && !ended)
        err = cm_fail(rq, CM_ECONFLICT, "the impersonation is not in progress (%s)", r->state);
    if (err == CM_OK && r->session_id[0])
        err = store_session_revoke(pg, r->session_id, "impersonation_ended", &revoked, &at);
    if (err == CM_OK && revoked)
        err = auth_session_revoked_event(pg, r->session_id, r->user_id, "impersonation_ended", at);
    if (err == CM_OK)
        err = store_imp_activity(pg, r->user_id, "impe", r->created_by, r->session_id);
    err = cm_pg_end(pg, err);
    scope_of(rq, &q);
    if (err == CM_OK)
        err = store_imp_get(pg, r->id, &q, 0, &now);
    if (err == CM_OK) {
        cm_info("impersonation request %s ended", r->id);
        cm_resp_json(out, rq, 201, cm_jsonapi_doc(imp_json_resource(&now.items[0])));
    }
    store_imp_list_free(&now);
    store_imp_list_free(&res);
    return err;
}
