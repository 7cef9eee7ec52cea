/* handlers_oauth2_settings.c: oauth2-client-settings (#60-#64), an
 * organization's application and the OpenID provider its users sign in
 * with (handlers_oauth2.h). Only the organization's administrators (and
 * platform admins) see or change them. The application's secret is shown
 * once, when made; it is stored as its hash. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers_oauth2.h"
#include "store.h"
#include "tokens.h"

#define TYPE "oauth2-client-settings"
#define URIS_MAX 10
#define SCOPES_MAX 20

/* What the settings' reader leaves: the body and the fields. */
struct settings_input {
    json_t *doc;
    struct oauth2_client_in in;
    char *uris, *scopes; /* JSON texts (caller frees) */
    char org[CM_UUID_LEN + 1];
};

static void input_release(struct settings_input *s)
{
    json_decref(s->doc);
    free(s->uris);
    free(s->scopes);
}

/* 1 when s is an absolute http(s) URL without spaces or controls. */
static int url_ok(const char *s)
{
    if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7))
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return 0;
    return 1;
}

/* Array attribute name of attrs: 1..max strings of 1..maxchars (URLs when
 * urls), as JSON text into *out (NULL when not given). */
static cm_err string_array(struct cm_req *rq, const json_t *attrs, const char *name, int required,
                           size_t max, size_t maxchars, int urls, char **out)
{
    const json_t *v = json_object_get(attrs, name), *item;
    char ptr[96];
    size_t i;

    *out = NULL;
    snprintf(ptr, sizeof ptr, "/data/attributes/%s", name);
    if (!v || json_is_null(v))
        return required ? cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s is required", name) : CM_OK;
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > max)
        return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s must be an array of 1 to %zu strings",
                          name, max);
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        if (!s || !*s || strlen(s) > maxchars || (urls && !url_ok(s)) ||
            (!urls && strpbrk(s, " \t\r\n"))) {
            snprintf(ptr, sizeof ptr, "/data/attributes/%s/%zu", name, i);
            return cm_fail_at(rq, CM_EINVAL, ptr, NULL, "%s must hold %s of at most %zu characters",
                              name, urls ? "http(s) URLs" : "scope names", maxchars);
        }
    }
    *out = json_dumps(v, JSON_COMPACT);
    return CM_OK;
}

/* The attributes of a create (create = 1) or a patch of client id. */
static cm_err settings_read(struct cm_req *rq, int create, struct settings_input *s)
{
    static const char *const allowed[] = {"name", "organization-id", "redirect-uris", "scopes",
                                          "issuer", "provider-client-id",
                                          "provider-client-secret", "account-policy", NULL};
    const char *id = create ? NULL : cm_req_param(rq, "id");
    const json_t *iss;
    json_t *attrs = NULL;
    cm_err err;

    memset(s, 0, sizeof *s);
    err = cm_req_jsonapi(rq, TYPE, id, create ? allowed : allowed, &s->doc, &attrs);
    if (err == CM_OK && !create && json_object_get(attrs, "organization-id"))
        err = cm_fail_at(rq, CM_EINVAL, "/data/attributes/organization-id", NULL,
                         "organization-id cannot change");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "name", create, 0, 255, &s->in.name);
    if (err == CM_OK && create)
        err = cm_json_uuid(rq, attrs, "/data/attributes", "organization-id", 1, s->org);
    if (err == CM_OK)
        err = string_array(rq, attrs, "redirect-uris", create, URIS_MAX, 1024, 1, &s->uris);
    if (err == CM_OK)
        err = string_array(rq, attrs, "scopes", 0, SCOPES_MAX, 64, 0, &s->scopes);
    if (err == CM_OK && s->scopes && !strstr(s->scopes, "\"openid\""))
        err = cm_fail_at(rq, CM_EINVAL, "/data/attributes/scopes", NULL,
                         "scopes must include openid");
    iss = json_object_get(attrs, "issuer");
    if (err == CM_OK && iss && json_is_null(iss) && !create)
        s->in.clear_issuer = 1;
    else if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "issuer", 0, 0, 1024, &s->in.issuer);
    if (err == CM_OK && s->in.issuer && !url_ok(s->in.issuer))
        err = cm_fail_at(rq, CM_EINVAL, "/data/attributes/issuer", NULL,
                         "issuer must be an http(s) URL");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "provider-client-id", 0, 0, 255,
                          &s->in.provider_client_id);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "provider-client-secret", 0, 0, 255,
                          &s->in.provider_client_secret);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, "/data/attributes", "account-policy", 0, 0, 16,
                          &s->in.account_policy);
    if (err == CM_OK && s->in.account_policy && strcmp(s->in.account_policy, "link") &&
        strcmp(s->in.account_policy, "provision"))
        err = cm_fail_at(rq, CM_EINVAL, "/data/attributes/account-policy", NULL,
                         "account-policy must be link or provision");
    s->in.organization_id = s->org;
    s->in.redirect_uris = s->uris;
    s->in.scopes = s->scopes;
    return err;
}

/* 1 when the caller administers organization org. */
static int may_administer(const struct cm_req *rq, const char *org)
{
    return cm_principal_platform_admin(rq) || cm_principal_org_admin(rq, org);
}

/* A new application secret (text, shown once) and its stored hash (hex). */
static void secret_new(char secret[REFRESH_TOKEN_LEN + 1], char hex[STORE_HASH_BYTES * 2 + 1])
{
    uint8_t hash[STORE_HASH_BYTES];

    tokens_refresh_new(secret, hash);
    sodium_bin2hex(hex, STORE_HASH_BYTES * 2 + 1, hash, sizeof hash);
}

/* The settings of the path's {id} when the caller administers them; 404
 * otherwise (unknown and forbidden look the same). */
static cm_err settings_visible(struct cm_req *rq, struct oauth2_client_rec **out)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such oauth2 client settings");
    err = store_oauth2_client_get(rq->w->pg, id, out);
    if (err == CM_OK && !may_administer(rq, (*out)->organization_id)) {
        free(*out);
        *out = NULL;
        err = CM_ENOTFOUND;
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, CM_ENOTFOUND, "no such oauth2 client settings");
    return err;
}

cm_err oauth2_settings_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"filter[name]", "organization-id", "page[limit]",
                                        "page[offset]", NULL};
    char name[1024], org[CM_UUID_LEN + 1];
    struct oauth2_client_rec *recs = NULL;
    long limit, offset;
    int n = 0;
    json_t *data;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[name]", 255, name, sizeof name);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", org);
    if (err == CM_OK && !org[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "organization-id", "organization-id is required");
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err == CM_OK && !may_administer(rq, org))
        err = cm_fail(rq, CM_EDENIED, "only an administrator of the organization sees its "
                                      "oauth2 client settings");
    if (err == CM_OK)
        err = store_oauth2_client_list(rq->w->pg, org, name, limit, offset, &recs, &n);
    if (err != CM_OK)
        return err;
    data = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(data, oauth2_settings_json(&recs[i], NULL));
    free(recs);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    return CM_OK;
}

cm_err oauth2_settings_create(struct cm_req *rq, struct cm_resp *out)
{
    char client_id[CM_UUID_LEN + 1], secret[REFRESH_TOKEN_LEN + 1], hex[STORE_HASH_BYTES * 2 + 1];
    struct settings_input s;
    struct oauth2_client_rec *r = NULL;
    uint8_t raw[16];
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    err = settings_read(rq, 1, &s);
    if (err == CM_OK && !may_administer(rq, s.org))
        err = cm_fail(rq, CM_EDENIED, "only an administrator of the organization may add "
                                      "oauth2 client settings");
    if (err == CM_OK) {
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(client_id, sizeof client_id, raw, sizeof raw);
        secret_new(secret, hex);
        err = store_oauth2_client_create(rq->w->pg, &s.in, client_id, hex, &r);
        if (err == CM_ECONFLICT)
            cm_fail_at(rq, err, "/data/attributes/issuer", NULL,
                       "another organization's settings use this issuer");
        else if (err == CM_ENOTFOUND)
            cm_fail_at(rq, err, "/data/attributes/organization-id", NULL, "no such organization");
    }
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, cm_jsonapi_doc(oauth2_settings_json(r, secret)));
    sodium_memzero(secret, sizeof secret);
    free(r);
    input_release(&s);
    return err;
}

cm_err oauth2_settings_read(struct cm_req *rq, struct cm_resp *out)
{
    struct oauth2_client_rec *r = NULL;
    cm_err err = settings_visible(rq, &r);

    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(oauth2_settings_json(r, NULL)));
    free(r);
    return CM_OK;
}

cm_err oauth2_settings_update(struct cm_req *rq, struct cm_resp *out)
{
    struct oauth2_client_rec *r = NULL, *after = NULL;
    struct settings_input s;
    cm_err err = settings_visible(rq, &r);

    if (err != CM_OK)
        return err;
    err = settings_read(rq, 0, &s);
    if (err == CM_OK) {
        err = store_oauth2_client_patch(rq->w->pg, r->id, &s.in, &after);
        if (err == CM_ECONFLICT)
            cm_fail_at(rq, err, "/data/attributes/issuer", NULL,
                       "another organization's settings use this issuer");
    }
    if (err == CM_OK)
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(oauth2_settings_json(after, NULL)));
    free(r);
    free(after);
    input_release(&s);
    return err;
}

cm_err oauth2_settings_reset_secret(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const none[] = {NULL};
    char secret[REFRESH_TOKEN_LEN + 1], hex[STORE_HASH_BYTES * 2 + 1];
    struct oauth2_client_rec *r = NULL, *after = NULL;
    json_t *body = NULL;
    cm_err err = settings_visible(rq, &r);

    if (err == CM_OK)
        err = cm_req_json_object(rq, none, &body);
    if (err == CM_OK) {
        secret_new(secret, hex);
        err = store_oauth2_client_reset(rq->w->pg, r->id, hex, &after);
        if (err == CM_OK)
            cm_resp_json(out, rq, 201, cm_jsonapi_doc(oauth2_settings_json(after, secret)));
        sodium_memzero(secret, sizeof secret);
    }
    json_decref(body);
    free(r);
    free(after);
    return err;
}
