/* handlers_users.c: reading users (#146 list, #147 read) and what every
 * users handler shares: who the caller is to the user (tenancy) and the
 * user document. Writes are in handlers_users_update.c and
 * handlers_users_admin.c, events in handlers_users_events.c. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cm_batch.h"
#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "store.h"

/* The principal's current organization when it is a uuid, else "". */
static const char *principal_org(const struct cm_req *rq)
{
    const char *org = cm_principal_of(rq)->organization_id;
    return cm_uuid_valid(org) ? org : "";
}

/* What needs no query: authenticates the caller (401), takes the path's {id}
 * (404 unless a uuid) into out->id, lower-cased, and out->self; answers 404
 * at once when the caller is neither the user nor an admin of anyone (a
 * platform admin, or an organization admin of its current organization),
 * since nothing in the database could change that. */
static cm_err access_begin(struct cm_req *rq, struct users_access *out)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    memset(out, 0, sizeof *out);
    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such user");
    for (int i = 0; i < CM_UUID_LEN; i++)
        out->id[i] = (char)tolower((unsigned char)id[i]);
    out->self = cm_principal_is_self(rq, out->id);
    if (!out->self && !cm_principal_org_admin(rq, principal_org(rq)))
        return cm_fail(rq, CM_ENOTFOUND, "no such user");
    return CM_OK;
}

/* After access_begin and the user's tenancy facts in out->target: whether
 * the caller administers the user; 404 when it may neither be nor
 * administer it. */
static cm_err access_decide(struct cm_req *rq, struct users_access *out)
{
    out->admin = cm_principal_platform_admin(rq) ||
                 (out->target.in_org && cm_principal_org_admin(rq, principal_org(rq)));
    if (!out->self && !out->admin)
        return cm_fail(rq, CM_ENOTFOUND, "no such user");
    return CM_OK;
}

/* The caller's user id when it is a user (its other organizations'
 * admin roles count), else "" (an API client administers only its own). */
static const char *caller_user(const struct cm_req *rq)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    return p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && cm_uuid_valid(p->user_id)
               ? p->user_id
               : "";
}

cm_err users_access(struct cm_req *rq, struct users_access *out)
{
    cm_err err = access_begin(rq, out);

    if (err == CM_OK)
        err = store_user_target(rq->w->pg, out->id, principal_org(rq), caller_user(rq),
                                &out->target);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, CM_ENOTFOUND, "no such user");
    if (err == CM_OK)
        err = access_decide(rq, out);
    return err;
}

/* Answers status with the user u of a, as the caller sees it (locks shown
 * to admins). */
static cm_err respond_rec(struct cm_req *rq, struct cm_resp *out, const struct users_access *a,
                          int status, unsigned flags, const struct user_rec *u)
{
    json_t *doc = user_json_resource(u, a->self ? principal_org(rq) : "",
                                     flags | (a->admin ? USER_JSON_LOCKS : 0));
    if (!doc)
        return cm_fail(rq, CM_EINTERNAL, "the user could not be rendered");
    cm_resp_json(out, rq, status, cm_jsonapi_doc(doc));
    return CM_OK;
}

cm_err users_respond(struct cm_req *rq, struct cm_resp *out, const struct users_access *a,
                     int status, unsigned flags, const char *role_org)
{
    struct user_list l = {0};
    cm_err err = store_user_select(rq->w->pg, a->id, "", role_org, &l, NULL);

    if (err == CM_ENOTFOUND)
        return cm_fail(rq, CM_ENOTFOUND, "no such user");
    if (err != CM_OK)
        return err;
    err = respond_rec(rq, out, a, status, flags, &l.items[0]);
    store_user_list_free(&l);
    return err;
}

void users_respond_null(struct cm_req *rq, struct cm_resp *out)
{
    cm_resp_json(out, rq, 201, json_null());
}

/* Narrows q to what the caller may list. Returns 0 when the caller may see
 * nobody under q: an organization admin asking for another organization
 * (an empty list, not a 404: organization-id is a filter), or an API
 * client without the admin role. */
static int scope_list(const struct cm_req *rq, struct user_list_query *q)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    const char *org = principal_org(rq);

    if (cm_principal_platform_admin(rq))
        return 1;
    if (org[0] && cm_principal_org_admin(rq, org)) {
        if (q->organization[0] && strcasecmp(q->organization, org))
            return 0;
        snprintf(q->organization, sizeof q->organization, "%s", org);
        return 1;
    }
    if (p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER || !cm_uuid_valid(p->user_id))
        return 0;
    snprintf(q->only_user, sizeof q->only_user, "%s", p->user_id);
    return 1;
}

cm_err users_list(struct cm_req *rq, struct cm_resp *out)
{
    struct user_list_query q;
    const Envelope__Principal *p = cm_principal_of(rq);
    int admin = cm_principal_platform_admin(rq) || cm_principal_org_admin(rq, principal_org(rq));
    struct user_list l = {0};
    json_t *data;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = users_list_query_read(rq, &q);
    if (err != CM_OK)
        return err;
    data = json_array();
    if (scope_list(rq, &q)) {
        err = store_users_list(rq->w->pg, &q, &l);
        for (size_t i = 0; err == CM_OK && i < l.n; i++) {
            const struct user_rec *u = &l.items[i];
            json_t *item = user_json_resource(
                u, !strcasecmp(u->id, p->user_id) ? principal_org(rq) : "",
                admin ? USER_JSON_LOCKS : 0);
            if (!item)
                err = cm_fail(rq, CM_EINTERNAL, "a user could not be rendered");
            json_array_append_new(data, item);
        }
        store_user_list_free(&l);
    }
    if (err != CM_OK) {
        json_decref(data);
        return err;
    }
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}

/* organization-id of the read as cm_query_uuid will take it, read before
 * the query without recording an error: the uuid into out (CM_UUID_LEN + 1
 * bytes), "" when absent or malformed (then cm_query_uuid refuses it after
 * the access check, and the row read with "" is never shown). */
static void role_org_peek(const struct cm_req *rq, char *out)
{
    char buf[CM_UUID_LEN + 2];

    out[0] = '\0';
    if (cm_query_get(rq, "organization-id", buf, sizeof buf) > 0 && cm_uuid_valid(buf))
        memcpy(out, buf, CM_UUID_LEN + 1);
}

/* GET /v1/users/{id}/ as a read whose one statement may go to Postgres with
 * those of the other requests the worker read at once (cm_batch.h). */
struct read_ctx {
    struct users_access a;
    char role_org[CM_UUID_LEN + 1];
    struct user_read user;
};

/* Input and access before the statement (users_access's first half). */
static cm_err read_begin(struct cm_req *rq, void *ctx, struct cm_pg_stmt *stmt)
{
    struct read_ctx *c = ctx;
    cm_err err = access_begin(rq, &c->a);

    if (err == CM_OK) {
        role_org_peek(rq, c->role_org);
        store_user_select_stmt(stmt, c->a.id, principal_org(rq), c->role_org, &c->user);
    }
    return err;
}

/* After the statement: the access decision from the user's tenancy facts
 * first, as in users_access (a user the caller may not see is 404 whatever
 * the query string says), then the query and the document. */
static cm_err read_end(struct cm_req *rq, void *ctx, cm_err err, struct cm_resp *out)
{
    static const char *const params[] = {"organization-id", "with-roles", "with-signups", NULL};
    struct read_ctx *c = ctx;
    int with_roles, with_signups;

    if (err == CM_ENOTFOUND)
        err = cm_fail(rq, CM_ENOTFOUND, "no such user");
    if (err == CM_OK) {
        c->a.target.in_org = c->user.tenancy.in_org;
        c->a.target.is_platform_admin = c->user.tenancy.is_platform_admin;
        err = access_decide(rq, &c->a);
    }
    /* with-roles and with-signups are accepted: roles are always shown and
     * sign-up requests belong to onboarding (empty here). organization-id
     * narrows the roles shown to that organization. */
    if (err == CM_OK)
        err = cm_query_known(rq, params);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", c->role_org);
    if (err == CM_OK)
        err = cm_query_bool(rq, "with-roles", 0, &with_roles);
    if (err == CM_OK)
        err = cm_query_bool(rq, "with-signups", 0, &with_signups);
    if (err == CM_OK)
        err = respond_rec(rq, out, &c->a, 200, USER_JSON_DETAIL, &c->user.list.items[0]);
    store_user_list_free(&c->user.list);
    return err;
}

static const struct cm_read_op read_op = {sizeof(struct read_ctx), read_begin, read_end};

cm_err users_read(struct cm_req *rq, struct cm_resp *out)
{
    return cm_read_handle(rq, out, &read_op);
}

cm_err users_require_write(struct cm_req *rq, const struct users_access *a, int allow_self)
{
    if (a->self)
        return allow_self ? CM_OK
                          : cm_fail(rq, CM_EDENIED, "this cannot be done to your own account");
    if (!a->admin)
        return cm_fail(rq, CM_ENOTFOUND, "no such user");
    if (a->target.is_platform_admin && !cm_principal_platform_admin(rq))
        return cm_fail(rq, CM_EDENIED, "only the platform admin manages a platform admin");
    /* An organization admin changes an account only when they administer
     * every organization it belongs to; otherwise the account is shared
     * with organizations that are not theirs, and only its membership of
     * their organization is theirs to change (remove-user). */
    if (!cm_principal_platform_admin(rq) && a->target.foreign_orgs > 0)
        return cm_fail(rq, CM_EDENIED,
                       "the account also belongs to organizations you do not administer; you may "
                       "only remove it from yours");
    return CM_OK;
}

cm_err users_begin_write(struct cm_req *rq, const char *const *allowed, struct users_access *a,
                         json_t **body)
{
    cm_err err = users_access(rq, a);

    if (err == CM_OK)
        err = users_require_write(rq, a, 1);
    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, body);
    return err;
}

cm_err users_change(struct cm_req *rq, const struct users_access *a,
                    cm_err (*write)(struct cm_req *rq, const char *id, void *ctx), void *ctx,
                    const char *change, const char *revoke_reason)
{
    PGconn *pg = rq->w->pg;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = write(rq, a->id, ctx);
    if (err == CM_OK && revoke_reason)
        err = users_revoke_sessions(pg, a->id, revoke_reason);
    if (err == CM_OK && change)
        err = users_event(pg, a->id, change);
    err = cm_pg_end(pg, err);
    return err;
}
