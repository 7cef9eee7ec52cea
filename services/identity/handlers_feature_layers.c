/* handlers_feature_layers.c: the organization layer (organization-features,
 * #85-#88) and user layer (user-features, #138-#141) of feature flags
 * (features.h). Admins of an organization set both for it; its members read
 * its layer, a user reads their own settings. */
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "feature_json.h"
#include "features.h"
#include "features_resolve.h"
#include "handlers.h"
#include "store_features.h"

#define ATTR "/data/attributes"

/* state (default def, NULL for none) and force (default def_force, -1 for
 * none) of a layer body. */
static cm_err layer_attrs(struct cm_req *rq, const json_t *attrs, const char *def, int def_force,
                          const char **state, int *force)
{
    cm_err err = cm_json_str(rq, attrs, ATTR, "state", 0, 0, 16, state);

    if (err == CM_OK && !*state)
        *state = def;
    if (err == CM_OK && *state && !features_state_valid(*state))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/state", NULL,
                         "state is one of enabled, disabled, dontcare");
    *force = def_force;
    if (err == CM_OK && json_object_get(attrs, "force") &&
        !json_is_null(json_object_get(attrs, "force")))
        err = cm_json_bool(rq, attrs, ATTR, "force", 1, 0, force);
    return err;
}

/* 403 unless the caller administers org (the platform admin always) and,
 * for a feature that is not assignable, is the platform admin. */
static cm_err may_set(struct cm_req *rq, const char *org, int assignable)
{
    if (!org[0] ? !cm_principal_platform_admin(rq) : !cm_principal_org_admin(rq, org))
        return cm_fail(rq, CM_EDENIED,
                       "only an administrator of the organization (in its current "
                       "organization) or the platform admin sets its feature flags");
    if (!assignable && !cm_principal_platform_admin(rq))
        return cm_fail(rq, CM_EDENIED,
                       "this feature is not assignable: only the platform admin "
                       "sets it for organizations and users");
    return CM_OK;
}

/* The feature named by attribute feature-name into res (404 on it). */
static cm_err feature_named(struct cm_req *rq, const json_t *attrs, struct feature_list *res)
{
    const char *name = NULL;
    cm_err err = cm_json_str(rq, attrs, ATTR, "feature-name", 1, 0, 64, &name);

    if (err == CM_OK)
        err = features_id_valid(name) ? store_feature_get(rq->w->pg, name, res) : CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, ATTR "/feature-name", NULL, "no such feature");
    return err;
}

/* ------------------------------------------------------------------ */
/* organization-features                                               */

cm_err org_features_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[feature-name]", "organization-id", "page[limit]",
                                        "page[offset]", NULL};
    struct org_scope scope;
    char org[CM_UUID_LEN + 1], feature[256 * 4 + 1];
    long limit, offset;
    struct layer_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", org);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[feature-name]", 255, feature, sizeof feature);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err != CM_OK)
        return err;
    orgs_scope_of(rq, &scope);
    err = store_org_layers_list(rq->w->pg, &scope, org, feature, limit, offset, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feature_json_layer_list(&res, 0)));
    store_layer_list_free(&res);
    return CM_OK;
}

cm_err org_features_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"feature-name", "force", "organization-id", "state",
                                          NULL};
    struct org_scope scope;
    struct feature_list f = {0};
    struct org_list o = {0};
    struct layer_list res = {0};
    char org[CM_UUID_LEN + 1];
    const char *state = NULL;
    int force = 0;
    json_t *doc = NULL, *attrs;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "organization-features", NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "organization-id", 1, org);
    if (err == CM_OK)
        err = layer_attrs(rq, attrs, "enabled", 0, &state, &force);
    if (err == CM_OK) {
        orgs_scope_of(rq, &scope);
        err = store_org_get(rq->w->pg, org, &scope, &o);
        if (err == CM_ENOTFOUND)
            err = cm_fail_at(rq, err, ATTR "/organization-id", NULL, "no such organization");
    }
    if (err == CM_OK)
        err = feature_named(rq, attrs, &f);
    if (err == CM_OK)
        err = may_set(rq, org, f.items[0].assignable);
    if (err == CM_OK)
        err = store_org_layer_create(rq->w->pg, f.items[0].id, org, state, force, &res);
    if (err == CM_ECONFLICT)
        err = cm_fail(rq, err,
                      "the organization already has a setting for this feature; "
                      "change it with PATCH");
    json_decref(doc);
    store_feature_list_free(&f);
    store_org_list_free(&o);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(feature_json_layer(&res.items[0], 0)));
    store_layer_list_free(&res);
    return CM_OK;
}

/* The organization layer of the path into res when visible (404). */
static cm_err org_layer_of_path(struct cm_req *rq, struct layer_list *res)
{
    const char *id = cm_req_param(rq, "id");
    struct org_scope scope;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    orgs_scope_of(rq, &scope);
    err = id && cm_uuid_valid(id) ? store_org_layer_get(rq->w->pg, id, &scope, res) : CM_ENOTFOUND;
    return err == CM_ENOTFOUND ? cm_fail(rq, err, "no such organization feature") : err;
}

cm_err org_features_read(struct cm_req *rq, struct cm_resp *out)
{
    struct layer_list res = {0};
    cm_err err = org_layer_of_path(rq, &res);

    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feature_json_layer(&res.items[0], 0)));
    store_layer_list_free(&res);
    return CM_OK;
}

/* PATCH of a layer (#88 with user 0, #141 with 1) already read into l:
 * state and force; 200 null. */
static cm_err layer_patch(struct cm_req *rq, struct cm_resp *out, int user,
                          const struct layer_rec *l)
{
    static const char *const allowed[] = {"force", "state", NULL};
    const char *state = NULL;
    int force = -1;
    json_t *doc = NULL, *attrs;
    cm_err err = may_set(rq, l->organization_id, l->feature_assignable);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, user ? "user-features" : "organization-features", l->id, allowed,
                             &doc, &attrs);
    if (err == CM_OK)
        err = layer_attrs(rq, attrs, NULL, -1, &state, &force);
    if (err == CM_OK)
        err = store_layer_update(rq->w->pg, user, l->id, state, force);
    json_decref(doc);
    if (err == CM_OK)
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(NULL));
    return err;
}

cm_err org_features_update(struct cm_req *rq, struct cm_resp *out)
{
    struct layer_list res = {0};
    cm_err err = org_layer_of_path(rq, &res);

    if (err == CM_OK)
        err = layer_patch(rq, out, 0, &res.items[0]);
    store_layer_list_free(&res);
    return err;
}

/* ------------------------------------------------------------------ */
/* user-features                                                       */

/* The visibility part of q for the caller. */
static void user_scope_of(const struct cm_req *rq, struct user_layer_query *q)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    memset(q, 0, sizeof *q);
    q->all = cm_principal_platform_admin(rq);
    if (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && cm_uuid_valid(p->user_id))
        snprintf(q->self, sizeof q->self, "%s", p->user_id);
    if (cm_principal_has_role(rq, "admin") && cm_uuid_valid(p->organization_id))
        snprintf(q->admin_org, sizeof q->admin_org, "%s", p->organization_id);
}

cm_err user_features_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[feature-name]",
                                        "filter[organization-id]",
                                        "page[limit]",
                                        "page[offset]",
                                        "user-email",
                                        "user-id",
                                        NULL};
    struct user_layer_query q;
    struct layer_list res = {0};
    cm_err err = cm_principal_require(rq);

    user_scope_of(rq, &q);
    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "user-id", q.user);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[organization-id]", q.org);
    if (err == CM_OK)
        err = cm_query_text(rq, "user-email", 255, q.email, sizeof q.email);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[feature-name]", 63, q.feature, sizeof q.feature);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q.limit, &q.offset);
    if (err == CM_OK)
        err = store_user_layers_list(rq->w->pg, &q, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feature_json_layer_list(&res, 1)));
    store_layer_list_free(&res);
    return CM_OK;
}

cm_err user_features_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"feature-name", "force",   "organization-id",
                                          "state",        "user-id", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    struct feature_list f = {0};
    struct layer_list res = {0};
    struct user_ref user;
    char org[CM_UUID_LEN + 1], user_id[CM_UUID_LEN + 1];
    const char *state = NULL;
    int force = 0;
    json_t *doc = NULL, *attrs;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "user-features", NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "user-id", 1, user_id);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTR, "organization-id", 0, org);
    if (err == CM_OK && !org[0] && !cm_principal_platform_admin(rq))
        snprintf(org, sizeof org, "%s", p->organization_id);
    if (err == CM_OK)
        err = layer_attrs(rq, attrs, "enabled", 0, &state, &force);
    if (err == CM_OK)
        err = feature_named(rq, attrs, &f);
    if (err == CM_OK)
        err = may_set(rq, org, f.items[0].assignable);
    /* the user must belong to the organization set for (any user for an
     * every-organization setting of the platform admin) */
    if (err == CM_OK) {
        err = store_user_find(rq->w->pg, user_id, "", org, &user);
        if (err == CM_ENOTFOUND)
            err = cm_fail_at(rq, err, ATTR "/user-id", NULL, "no such user (in that organization)");
    }
    if (err == CM_OK)
        err = store_user_layer_create(rq->w->pg, f.items[0].id, user.id, org, state, force, &res);
    if (err == CM_ECONFLICT)
        err = cm_fail(rq, err,
                      "the user already has a setting for this feature there; "
                      "change it with PATCH");
    json_decref(doc);
    store_feature_list_free(&f);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(feature_json_layer(&res.items[0], 1)));
    store_layer_list_free(&res);
    return CM_OK;
}

/* The user layer of the path into res when visible (404). */
static cm_err user_layer_of_path(struct cm_req *rq, struct layer_list *res)
{
    const char *id = cm_req_param(rq, "id");
    struct user_layer_query q;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    user_scope_of(rq, &q);
    err = id && cm_uuid_valid(id) ? store_user_layer_get(rq->w->pg, id, &q, res) : CM_ENOTFOUND;
    return err == CM_ENOTFOUND ? cm_fail(rq, err, "no such user feature") : err;
}

cm_err user_features_read(struct cm_req *rq, struct cm_resp *out)
{
    struct layer_list res = {0};
    cm_err err = user_layer_of_path(rq, &res);

    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feature_json_layer(&res.items[0], 1)));
    store_layer_list_free(&res);
    return CM_OK;
}

cm_err user_features_update(struct cm_req *rq, struct cm_resp *out)
{
    struct layer_list res = {0};
    cm_err err = user_layer_of_path(rq, &res);

    if (err == CM_OK)
        err = layer_patch(rq, out, 1, &res.items[0]);
    store_layer_list_free(&res);
    return err;
}
