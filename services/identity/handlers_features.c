/* handlers_features.c: feature definitions (#23-#28, features.h): the list
 * with its subject filters, create, read, update, and add-users /
 * remove-users (the every-organization user layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "feature_json.h"
#include "features.h"
#include "features_resolve.h"
#include "handlers.h"
#include "store_features.h"

#define ATTR "/data/attributes"
#define MAX_USERS 1000 /* user-ids plus user-emails of one add/remove */

/* 403 unless the caller is the platform admin. */
static cm_err require_platform(struct cm_req *rq)
{
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && !cm_principal_platform_admin(rq))
        err = cm_fail(rq, CM_EDENIED, "only the platform admin defines features");
    return err;
}

/* The subject of a list (#23): q->user and q->org filled from the filters
 * and checked against what the caller sees (404 on the parameter when not).
 * *with_subject says whether a subject was given. */
static cm_err subject_read(struct cm_req *rq, struct feature_query *q, int *with_subject)
{
    char user[CM_UUID_LEN + 1], org[CM_UUID_LEN + 1], individual[16];
    struct org_scope scope;
    struct org_list orgs = {0};
    cm_err err = cm_query_uuid(rq, "filter[user-id]", user);

    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[organization-id]", org);
    if (err != CM_OK)
        return err;
    if (cm_query_get(rq, "filter[individual-id]", individual, sizeof individual) != 0)
        return cm_fail_at(rq, CM_EINVAL, NULL, "filter[individual-id]",
                          "filter[individual-id] is not supported: identity holds no "
                          "individuals; use filter[user-id]");
    *with_subject = user[0] || org[0];
    if (user[0]) {
        err = store_feature_subject(rq->w->pg, user, org, q->org);
        /* the user's own flags, or an admin of the organization resolved in */
        if (err == CM_OK && !cm_principal_is_self(rq, user) && !cm_principal_org_admin(rq, q->org))
            err = CM_ENOTFOUND;
        if (err == CM_ENOTFOUND)
            return cm_fail_at(rq, err, NULL, "filter[user-id]",
                              "no such user (in that organization)");
        snprintf(q->user, sizeof q->user, "%s", user);
        return err;
    }
    if (org[0]) {
        orgs_scope_of(rq, &scope);
        err = store_org_get(rq->w->pg, org, &scope, &orgs);
        store_org_list_free(&orgs);
        if (err == CM_ENOTFOUND)
            return cm_fail_at(rq, err, NULL, "filter[organization-id]", "no such organization");
        snprintf(q->org, sizeof q->org, "%s", org);
    }
    return err;
}

cm_err features_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[assignable]",
                                        "filter[individual-id]",
                                        "filter[organization-id]",
                                        "filter[user-id]",
                                        "page[limit]",
                                        "page[offset]",
                                        NULL};
    struct feature_query q = {.assignable = -1};
    struct feature_list res = {0};
    long limit = 0, offset = 0;
    int with_subject = 0, assignable = -1;
    char tmp[8];
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK && cm_query_get(rq, "filter[assignable]", tmp, sizeof tmp) != 0)
        err = cm_query_bool(rq, "filter[assignable]", 0, &assignable);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err == CM_OK)
        err = subject_read(rq, &q, &with_subject);
    if (err != CM_OK)
        return err;
    q.assignable = assignable;
    /* with a subject every feature is read and the page taken from the
     * enabled ones */
    q.limit = with_subject ? 0 : limit;
    q.offset = with_subject ? 0 : offset;
    err = store_features_list(rq->w->pg, &q, &res);
    if (err != CM_OK)
        return err;
    if (with_subject)
        features_keep_enabled(&res, limit, offset);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feature_json_list(&res, with_subject)));
    store_feature_list_free(&res);
    return CM_OK;
}

/* Reads the attributes of a create (id required) or update into f. */
static cm_err fields_read(struct cm_req *rq, const json_t *attrs, int create,
                          struct feature_fields *f)
{
    cm_err err = CM_OK;

    memset(f, 0, sizeof *f);
    f->global_enabled = f->assignable = -1;
    if (create) {
        err = cm_json_str(rq, attrs, ATTR, "id", 1, 0, 64, &f->id);
        if (err == CM_OK && !features_id_valid(f->id))
            err = cm_fail_at(rq, CM_EINVAL, ATTR "/id", NULL,
                             "id is 1..64 of a-z, 0-9, '.', '_', '-', starting with a letter "
                             "or digit");
    }
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "description", 0, 1, 1024, &f->description);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "stage", 0, 0, 64, &f->stage);
    if (err == CM_OK && json_object_get(attrs, "global-enabled") &&
        !json_is_null(json_object_get(attrs, "global-enabled")))
        err = cm_json_bool(rq, attrs, ATTR, "global-enabled", 1, 0, &f->global_enabled);
    if (err == CM_OK && json_object_get(attrs, "assignable") &&
        !json_is_null(json_object_get(attrs, "assignable")))
        err = cm_json_bool(rq, attrs, ATTR, "assignable", 1, 0, &f->assignable);
    return err;
}

cm_err features_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"assignable", "description", "global-enabled",
                                          "id",         "stage",       NULL};
    struct feature_fields f;
    struct feature_list res = {0};
    json_t *doc = NULL, *attrs;
    cm_err err = require_platform(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "features", NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = fields_read(rq, attrs, 1, &f);
    if (err == CM_OK)
        err = store_feature_create(rq->w->pg, &f, &res);
    json_decref(doc);
    if (err == CM_ECONFLICT)
        return cm_fail_at(rq, err, ATTR "/id", NULL, "a feature with this id exists");
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(feature_json_resource(&res.items[0], 0)));
    store_feature_list_free(&res);
    return CM_OK;
}

/* The feature of the path into res (404 when none). */
static cm_err feature_of_path(struct cm_req *rq, struct feature_list *res)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = id && features_id_valid(id) ? store_feature_get(rq->w->pg, id, res) : CM_ENOTFOUND;

    return err == CM_ENOTFOUND ? cm_fail(rq, err, "no such feature") : err;
}

cm_err features_read(struct cm_req *rq, struct cm_resp *out)
{
    struct feature_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = feature_of_path(rq, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feature_json_resource(&res.items[0], 0)));
    store_feature_list_free(&res);
    return CM_OK;
}

cm_err features_update(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"assignable", "description", "global-enabled", "stage",
                                          NULL};
    const char *id = cm_req_param(rq, "id");
    struct feature_fields f;
    struct feature_list res = {0};
    json_t *doc = NULL, *attrs;
    cm_err err = require_platform(rq);

    if (err == CM_OK)
        err = feature_of_path(rq, &res);
    store_feature_list_free(&res);
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "features", id, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = fields_read(rq, attrs, 0, &f);
    if (err == CM_OK)
        err = store_feature_update(rq->w->pg, id, &f, &res);
    json_decref(doc);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such feature");
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feature_json_resource(&res.items[0], 0)));
    store_feature_list_free(&res);
    return CM_OK;
}

/* The users named by body members user-ids (uuids) and user-emails, at
 * least one in all, at most MAX_USERS; into ids[*n] (40 bytes each). 404 on
 * the item's pointer when a user does not exist. */
static cm_err feature_users_read(struct cm_req *rq, const json_t *body, char (*ids)[40], size_t *n)
{
    static const char *const members[] = {"user-ids", "user-emails"};
    char ptr[64];
    cm_err err = CM_OK;

    *n = 0;
    for (size_t m = 0; m < 2 && err == CM_OK; m++) {
        const json_t *arr = json_object_get(body, members[m]), *item;
        size_t i;

        if (!arr || json_is_null(arr))
            continue;
        if (!json_is_array(arr))
            return cm_fail_at(rq, CM_EINVAL, m ? "/user-emails" : "/user-ids", NULL,
                              "%s must be an array of strings", members[m]);
        json_array_foreach(arr, i, item)
        {
            struct user_ref ref;
            const char *s = json_string_value(item);

            snprintf(ptr, sizeof ptr, "/%s/%zu", members[m], i);
            if (*n >= MAX_USERS)
                return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "at most %d users at once", MAX_USERS);
            if (!s || (m == 0 && !cm_uuid_valid(s)) || (m == 1 && (!s[0] || strlen(s) > 255)))
                return cm_fail_at(rq, CM_EINVAL, ptr, NULL,
                                  m ? "an email address is expected" : "a uuid is expected");
            err = store_user_find(rq->w->pg, m ? "" : s, m ? s : "", "", &ref);
            if (err == CM_ENOTFOUND || err == CM_ECONFLICT)
                return cm_fail_at(rq, CM_ENOTFOUND, ptr, NULL, "no such user");
            if (err != CM_OK)
                return err;
            snprintf(ids[(*n)++], 40, "%s", ref.id);
        }
    }
    if (*n == 0)
        return cm_fail_at(rq, CM_EINVAL, "/user-ids", NULL,
                          "user-ids (or user-emails) must name at least one user");
    return CM_OK;
}

/* #27 (add) and #28: the every-organization user layer of the path's
 * feature for the body's users, in one transaction; 201 with the feature. */
static cm_err users_action(struct cm_req *rq, struct cm_resp *out, int add)
{
    static const char *const add_allowed[] = {"force", "state", "user-emails", "user-ids", NULL};
    static const char *const remove_allowed[] = {"user-emails", "user-ids", NULL};
    struct feature_list res = {0};
    const char *state = "enabled";
    json_t *body = NULL;
    int force = 0;
    size_t n = 0;
    char(*users)[40] = NULL;
    cm_err err = require_platform(rq);

    if (err == CM_OK)
        err = feature_of_path(rq, &res);
    if (err == CM_OK)
        err = cm_req_json_object(rq, add ? add_allowed : remove_allowed, &body);
    if (err == CM_OK && add)
        err = cm_json_str(rq, body, "", "state", 0, 0, 16, &state);
    if (err == CM_OK && add && !state)
        state = "enabled";
    if (err == CM_OK && add && !features_state_valid(state))
        err = cm_fail_at(rq, CM_EINVAL, "/state", NULL,
                         "state is one of enabled, disabled, dontcare");
    if (err == CM_OK && add)
        err = cm_json_bool(rq, body, "", "force", 0, 0, &force);
    if (err == CM_OK) {
        users = cm_xmalloc(sizeof *users * MAX_USERS);
        err = feature_users_read(rq, body, users, &n);
    }
    if (err == CM_OK) {
        err = cm_pg_begin(rq->w->pg);
        for (size_t i = 0; i < n && err == CM_OK; i++)
            err = add ? store_feature_user_set(rq->w->pg, res.items[0].id, users[i], state, force)
                      : store_feature_user_remove(rq->w->pg, res.items[0].id, users[i]);
        err = cm_pg_end(rq->w->pg, err);
    }
    free(users);
    json_decref(body);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, cm_jsonapi_doc(feature_json_resource(&res.items[0], 0)));
    store_feature_list_free(&res);
    return err;
}

cm_err features_add_users(struct cm_req *rq, struct cm_resp *out)
{
    return users_action(rq, out, 1);
}

cm_err features_remove_users(struct cm_req *rq, struct cm_resp *out)
{
    return users_action(rq, out, 0);
}
