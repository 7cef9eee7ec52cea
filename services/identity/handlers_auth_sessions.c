/* handlers_auth_sessions.c: sessions (#128), switch-organization (#155)
 * and user-activities (#135) (handlers_auth.h). */
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "identity_state.h"
#include "store.h"
#include "store_auth.h"
#include "tokens.h"

#define ACTIVITIES_DEFAULT_LIMIT 500
#define ACTIVITIES_MAX_LIMIT 1000

cm_err auth_session_read(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"include-login-info", NULL};
    const char *id = cm_req_param(rq, "id");
    json_t *attrs, *info = NULL;
    struct login_rec rec = {0};
    int with_info = 0;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, allowed);
    if (err == CM_OK)
        err = cm_query_bool(rq, "include-login-info", 0, &with_info);
    if (err != CM_OK)
        return err;
    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such session");
    err = store_session_get(rq->w->pg, id, &rec);
    if (err == CM_OK && !cm_principal_is_self(rq, rec.user_id) &&
        !cm_principal_platform_admin(rq))
        err = CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        err = cm_fail(rq, err, "no such session");
    if (err == CM_OK && with_info && !(info = tokens_login_info(&rec)))
        err = CM_EINTERNAL;
    if (err == CM_OK) {
        attrs = json_pack("{s:s, s:s, s:o, s:b}", "expiration-time", rec.expiration_time,
                          "user-id", rec.user_id, "login-info", info ? info : json_null(),
                          "revoked", rec.revoked);
        cm_resp_json(out, rq, 200,
                     attrs ? cm_jsonapi_doc(cm_jsonapi_resource("sessions", rec.session_id, attrs))
                           : NULL);
    }
    store_login_free(&rec);
    return err;
}

cm_err auth_switch_organization(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"organization-id", "set-default", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    const char *id = cm_req_param(rq, "id");
    char org[CM_UUID_LEN + 1];
    struct session_new sn = {0};
    struct login_rec cur = {0};
    PGconn *pg = rq->w->pg;
    json_t *body = NULL, *resp = NULL;
    int set_default = 0;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    /* Only for oneself: anyone else's id is as unknown as a missing one. */
    if (!id || !cm_principal_is_self(rq, id))
        return cm_fail(rq, CM_ENOTFOUND, "no such user");
    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    err = cm_json_uuid(rq, body, "", "organization-id", 1, org);
    if (err == CM_OK)
        err = cm_json_bool(rq, body, "", "set-default", 0, 0, &set_default);
    json_decref(body);
    if (err != CM_OK)
        return err;
    err = store_membership_check(pg, id, org);
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, "/organization-id", NULL, "no such organization");
    if (err != CM_OK)
        return err;
    /* The new session inherits the current one's terms and end. */
    sn.user_id = id;
    sn.organization_id = org;
    sn.impersonator_id = p->impersonator_id[0] ? p->impersonator_id : NULL;
    sn.interactive = 1;
    sn.expect_gen = p->token_gen; /* the caller's token: stale if the user was revoked since */
    sn.access_ttl_s = rq->w->cfg->access_token_ttl_s;
    sn.refresh_ttl_s = rq->w->cfg->refresh_token_ttl_s;
    if (cm_uuid_valid(p->session_id) && store_session_get(pg, p->session_id, &cur) == CM_OK) {
        if (!cur.revoked && !strcmp(cur.user_id, id)) {
            if (sn.impersonator_id && cur.impersonator_session_id[0])
                sn.impersonator_session_id = cur.impersonator_session_id;
            sn.interactive = cur.interactive;
            sn.access_ttl_s = cur.access_ttl_s;
            sn.expires_at = cur.expires_at;
        }
    }
    err = cm_pg_begin(pg);
    if (err == CM_OK && set_default)
        err = store_default_org_set(pg, id, org);
    if (err == CM_OK && set_default)
        err = users_event(pg, id, "updated");
    if (err == CM_OK) {
        err = tokens_issue(&identity_state_of(rq->w)->signing, pg, &sn, &resp);
        if (err == CM_ENOTFOUND && store_membership_check(pg, id, org) == CM_ENOTFOUND)
            err = cm_fail_at(rq, err, "/organization-id", NULL, "no such organization");
        else if (err == CM_ENOTFOUND) /* disabled or revoked since the edge checked */
            err = cm_fail(rq, CM_EUNAUTH, "the token was revoked; log in again");
    }
    err = cm_pg_end(pg, err);
    if (err != CM_OK) {
        json_decref(resp);
    } else {
        auth_respond(rq, out, resp);
    }
    store_login_free(&cur);
    return err;
}

/* What filter[cmp-timestamp] and filter[event-types] collect. */
struct activity_ctx {
    struct activity_query *q;
    unsigned types;
    int ncmp;
};

static cm_err on_cmp(struct cm_req *rq, const char *value, void *ctx)
{
    struct activity_ctx *c = ctx;
    char op[3], when[CM_TIME_LEN];
    char *slot;

    if (++c->ncmp > 2)
        return cm_fail_at(rq, CM_EINVAL, NULL, "filter[cmp-timestamp]",
                          "at most 2 comparisons");
    if (cm_cmp_time_parse(value, 1, op, when) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, NULL, "filter[cmp-timestamp]",
                          "each comparison is >, <, >= or <= followed by an RFC 3339 date-time");
    slot = !strcmp(op, ">") ? c->q->gt : !strcmp(op, ">=") ? c->q->ge : !strcmp(op, "<") ? c->q->lt
                                                                                          : c->q->le;
    snprintf(slot, sizeof c->q->gt, "%s", when);
    return CM_OK;
}

static cm_err on_types(struct cm_req *rq, const char *value, void *ctx)
{
    struct activity_ctx *c = ctx;

    if (auth_event_types_parse(value, &c->types) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, NULL, "filter[event-types]",
                          "event types are login, refr, sreg, imps and impe");
    return CM_OK;
}

/* The caller's view: *none when it may see nothing at all. */
static cm_err activities_scope(struct cm_req *rq, struct activity_query *q, int *none)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    *none = 0;
    if (cm_principal_platform_admin(rq))
        return CM_OK;
    if (p->organization_id[0] && cm_principal_org_admin(rq, p->organization_id)) {
        snprintf(q->member_of, sizeof q->member_of, "%s", p->organization_id);
        return CM_OK;
    }
    if (p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER) {
        *none = 1; /* an API client without admin sees no person's activity */
        return CM_OK;
    }
    if (q->user_id[0] && strcmp(q->user_id, p->user_id) != 0)
        *none = 1;
    snprintf(q->user_id, sizeof q->user_id, "%s", p->user_id);
    return CM_OK;
}

cm_err auth_user_activities(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"filter[user-id]", "filter[event-types]",
                                          "filter[cmp-timestamp]",
                                          "filter[exclude-carium-activity]", "page[limit]",
                                          "page[offset]", NULL};
    struct activity_query q;
    struct activity_ctx c = {&q, 0, 0};
    struct activity_list res = {0};
    json_t *data;
    int none = 0;
    cm_err err = cm_principal_require(rq);

    memset(&q, 0, sizeof q);
    if (err == CM_OK)
        err = cm_query_known(rq, allowed);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[user-id]", q.user_id);
    if (err == CM_OK)
        err = cm_query_each(rq, "filter[event-types]", 64, on_types, &c);
    if (err == CM_OK)
        err = cm_query_each(rq, "filter[cmp-timestamp]", 40, on_cmp, &c);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[exclude-carium-activity]", 1, &q.exclude_carium);
    if (err == CM_OK)
        err = cm_query_page(rq, ACTIVITIES_DEFAULT_LIMIT, 1, ACTIVITIES_MAX_LIMIT, &q.limit,
                            &q.offset);
    if (err == CM_OK)
        err = activities_scope(rq, &q, &none);
    if (err != CM_OK)
        return err;
    auth_event_types_literal(c.types, q.event_types, sizeof q.event_types);
    data = json_array();
    if (!none)
        err = store_activities_list(rq->w->pg, &q, &res);
    for (size_t i = 0; err == CM_OK && i < res.n; i++) {
        const struct activity_rec *a = &res.items[i];
        json_t *attrs = json_pack("{s:b, s:s, s:s, s:s, s:o, s:o}", "carium-employee",
                                  a->carium_employee, "event-type", a->event_type, "timestamp",
                                  a->timestamp, "user-id", a->user_id, "impersonated-by",
                                  cm_json_str_or_null(a->impersonator_id), "session-id",
                                  cm_json_str_or_null(a->session_id));
        json_array_append_new(data, cm_jsonapi_resource("user-activities", a->id, attrs));
    }
    store_activity_list_free(&res);
    if (err != CM_OK) {
        json_decref(data);
        return err;
    }
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}
