/* handlers_api_clients.c: API clients (service accounts) of an
 * organization: create, list, read, rotate-key, revoke. An API client
 * authenticates with HTTP Basic (api-user-id:api-key) or x-api-key and acts
 * in its organization with its roles (rpc_authenticate_api_key). Its key is
 * random, shown once (in the create and rotate-key responses) and stored
 * only as a BLAKE2b-256 hash; keys are never logged. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_client_json.h"
#include "cm_jsonapi.h"
#include "cm_outbox.h"
#include "cm_principal.h"
#include "handlers.h"
#include "identity.pb-c.h"
#include "store.h"
#include "store_roles.h"

#define AC_TYPE "api-clients"
#define ATTR "/data/attributes"

void api_client_new_credentials(char *key, char *api_user_id)
{
    unsigned char raw[API_KEY_BYTES], id[(API_USER_ID_CHARS - 4) / 2];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(key, API_KEY_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    randombytes_buf(id, sizeof id);
    memcpy(api_user_id, "api-", 4);
    sodium_bin2hex(api_user_id + 4, API_USER_ID_CHARS - 4 + 1, id, sizeof id);
}

/* Answers status with the client of res (released here), and key when not
 * NULL. */
static cm_err respond_client(struct cm_req *rq, struct cm_resp *out, int status,
                             struct api_client_list *res, const char *key)
{
    json_t *r = api_client_json_resource(&res->items[0], key);

    store_api_client_list_free(res);
    cm_resp_json(out, rq, status, r ? cm_jsonapi_doc(r) : NULL);
    return CM_OK;
}

/* Writes ApiClientChanged for c with change. */
static cm_err client_event(PGconn *pg, const struct api_client_rec *c, const char *change)
{
    Identity__ApiClientChanged ev = IDENTITY__API_CLIENT_CHANGED__INIT;

    ev.client_id = (char *)c->id;
    ev.api_user_id = (char *)c->api_user_id;
    ev.change = (char *)change;
    ev.occurred_at = (char *)c->occurred_at;
    return cm_outbox_add(pg, IDENTITY_EVT_API_CLIENT_CHANGED, &ev.base, NULL);
}

/* The organization whose API clients the caller manages into org (40
 * bytes): "" for all (the platform admin), the current organization of an
 * organization admin. CM_EDENIED for anyone else. */
static cm_err managed_org(struct cm_req *rq, char *org)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    cm_err err = cm_principal_require(rq);

    org[0] = '\0';
    if (err != CM_OK || cm_principal_platform_admin(rq))
        return err;
    if (cm_uuid_valid(p->organization_id) && cm_principal_org_admin(rq, p->organization_id)) {
        snprintf(org, 40, "%s", p->organization_id);
        return CM_OK;
    }
    return CM_EDENIED;
}

/* The client of the path's {id} into res->items[0] when the caller manages
 * it; 404 otherwise (also for callers who manage none: they see no
 * clients). res is empty unless CM_OK. */
static cm_err client_of_path(struct cm_req *rq, struct api_client_list *res)
{
    const char *id = cm_req_param(rq, "id");
    char org[40];
    cm_err err = managed_org(rq, org);

    if (err == CM_EDENIED)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        err =
            id && cm_uuid_valid(id) ? store_api_client_get(rq->w->pg, id, org, res) : CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such API client");
    return err;
}

cm_err api_clients_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[include-revoked]", "filter[organization-id]",
                                        "page[limit]", "page[offset]", NULL};
    struct api_client_query q = {0};
    struct api_client_list res = {0};
    cm_err err = managed_org(rq, q.scope_org);

    if (err == CM_EDENIED)
        return cm_fail(rq, err, "only organization administrators manage API clients");
    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-revoked]", 0, &q.include_revoked);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[organization-id]", q.filter_org);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q.limit, &q.offset);
    if (err == CM_OK)
        err = store_api_clients_list(rq->w->pg, &q, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(api_client_json_list(&res)));
    store_api_client_list_free(&res);
    return CM_OK;
}

/* Reads the optional "roles" attribute: distinct role names of org, at
 * most API_CLIENT_MAX_ROLES of 1..API_CLIENT_ROLE_CHARS characters. On
 * CM_OK *out is a JSON array text (caller frees). */
static cm_err read_roles(struct cm_req *rq, const json_t *attrs, const char *org, char **out)
{
    const json_t *roles = json_object_get(attrs, "roles"), *v;
    long found = 0;
    size_t i, j;
    cm_err err = CM_OK;

    if (!roles || json_is_null(roles)) {
        *out = strdup("[]");
        return *out ? CM_OK : CM_ENOMEM;
    }
    if (!json_is_array(roles) || json_array_size(roles) > API_CLIENT_MAX_ROLES)
        return cm_fail_at(rq, CM_EINVAL, ATTR "/roles", NULL,
                          "roles must be an array of at most %d role names", API_CLIENT_MAX_ROLES);
    json_array_foreach(roles, i, v)
    {
        char ptr[64];
        snprintf(ptr, sizeof ptr, ATTR "/roles/%zu", i);
        if (!json_is_string(v) || json_string_length(v) < 1 ||
            json_string_length(v) > API_CLIENT_ROLE_CHARS ||
            strlen(json_string_value(v)) != json_string_length(v))
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "each role is a name of 1 to %d characters",
                              API_CLIENT_ROLE_CHARS);
        for (j = 0; j < i; j++)
            if (json_equal(v, json_array_get(roles, j)))
                return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "role given twice");
    }
    *out = json_dumps(roles, JSON_COMPACT);
    if (!*out)
        return CM_ENOMEM;
    err = store_roles_count_named(rq->w->pg, org, *out, &found);
    if (err == CM_OK && (size_t)found != json_array_size(roles))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/roles", NULL,
                         "each role must be a role of the organization");
    if (err != CM_OK) {
        free(*out);
        *out = NULL;
    }
    return err;
}

/* Reads organization-id (the caller's current organization when not
 * given) into org and checks the caller administers it: 404 when the
 * caller does not see it, 403 when they see it but do not administer it. */
static cm_err read_org(struct cm_req *rq, const json_t *attrs, char *org)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    struct org_scope scope;
    struct org_list o = {0};
    cm_err err = cm_json_uuid(rq, attrs, ATTR, "organization-id", 0, org);

    if (err == CM_OK && !org[0]) {
        if (!cm_uuid_valid(p->organization_id))
            return cm_fail_at(rq, CM_EINVAL, ATTR "/organization-id", NULL,
                              "organization-id is required");
        snprintf(org, CM_UUID_LEN + 1, "%s", p->organization_id);
    }
    if (err != CM_OK)
        return err;
    orgs_scope_of(rq, &scope);
    err = store_org_get(rq->w->pg, org, &scope, &o);
    store_org_list_free(&o);
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, ATTR "/organization-id", NULL, "no such organization");
    if (err == CM_OK && !cm_principal_org_admin(rq, org))
        return cm_fail_at(rq, CM_EDENIED, ATTR "/organization-id", NULL,
                          "only an administrator of the organization (in its current "
                          "organization) or the platform admin creates its API clients");
    return err;
}

cm_err api_clients_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"name", "organization-id", "roles", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    char org[CM_UUID_LEN + 1], key[API_KEY_CHARS + 1], user[API_USER_ID_CHARS + 1];
    uint8_t hash[API_KEY_HASH_BYTES];
    struct api_client_new c = {0};
    char *roles = NULL;
    json_t *doc = NULL, *attrs;
    struct api_client_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, AC_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "name", 1, 0, 255, &c.name);
    if (err == CM_OK)
        err = read_org(rq, attrs, org);
    if (err == CM_OK)
        err = read_roles(rq, attrs, org, &roles);
    if (err == CM_OK) {
        api_client_new_credentials(key, user);
        store_api_key_hash(key, hash);
        c.api_user_id = user;
        c.key_hash = hash;
        c.organization_id = org;
        c.roles_json = roles;
        /* who: a user's id, or the creating API client's id */
        c.created_by =
            p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT ? p->client_id : p->user_id;
        if (!cm_uuid_valid(c.created_by))
            c.created_by = "";
        err = cm_pg_begin(rq->w->pg);
    }
    if (err == CM_OK) {
        err = store_api_client_create(rq->w->pg, &c, &res);
        if (err == CM_OK)
            err = client_event(rq->w->pg, &res.items[0], "created");
        err = cm_pg_end(rq->w->pg, err);
        if (err == CM_ECONFLICT)
            err = cm_fail_at(rq, err, ATTR "/name", NULL,
                             "an active API client of the organization has this name");
    }
    free(roles);
    json_decref(doc);
    if (err == CM_OK)
        respond_client(rq, out, 201, &res, key);
    else
        store_api_client_list_free(&res);
    sodium_memzero(key, sizeof key);
    return err;
}

cm_err api_clients_read(struct cm_req *rq, struct cm_resp *out)
{
    struct api_client_list res = {0};
    cm_err err = client_of_path(rq, &res);

    return err == CM_OK ? respond_client(rq, out, 200, &res, NULL) : err;
}

/* Refuses any body but none or {} (the actions take no input). */
static cm_err empty_body(struct cm_req *rq)
{
    static const char *const none[] = {NULL};
    json_t *obj = NULL;
    cm_err err = cm_req_json_object(rq, none, &obj);

    json_decref(obj);
    return err;
}

cm_err api_clients_rotate_key(struct cm_req *rq, struct cm_resp *out)
{
    char key[API_KEY_CHARS + 1], user[API_USER_ID_CHARS + 1];
    uint8_t hash[API_KEY_HASH_BYTES];
    struct api_client_list res = {0};
    cm_err err = client_of_path(rq, &res);

    store_api_client_list_free(&res);
    if (err == CM_OK)
        err = empty_body(rq);
    if (err == CM_OK) {
        api_client_new_credentials(key, user); /* only the key is used */
        store_api_key_hash(key, hash);
        err = cm_pg_begin(rq->w->pg);
    }
    if (err == CM_OK) {
        err = store_api_client_set_key(rq->w->pg, cm_req_param(rq, "id"), hash, &res);
        if (err == CM_OK)
            err = client_event(rq->w->pg, &res.items[0], "key_rotated");
        err = cm_pg_end(rq->w->pg, err);
        if (err == CM_ECONFLICT)
            err = cm_fail(rq, err, "the API client is revoked");
    }
    if (err == CM_OK)
        respond_client(rq, out, 201, &res, key);
    else
        store_api_client_list_free(&res);
    sodium_memzero(key, sizeof key);
    return err;
}

cm_err api_clients_revoke(struct cm_req *rq, struct cm_resp *out)
{
    struct api_client_list res = {0};
    int changed = 0;
    cm_err err = client_of_path(rq, &res);

    store_api_client_list_free(&res);
    if (err == CM_OK)
        err = empty_body(rq);
    if (err == CM_OK)
        err = cm_pg_begin(rq->w->pg);
    if (err == CM_OK) {
        err = store_api_client_revoke(rq->w->pg, cm_req_param(rq, "id"), &changed, &res);
        if (err == CM_OK && changed)
            err = client_event(rq->w->pg, &res.items[0], "revoked");
        err = cm_pg_end(rq->w->pg, err);
    }
    if (err != CM_OK) {
        store_api_client_list_free(&res);
        return err;
    }
    return respond_client(rq, out, 201, &res, NULL);
}
