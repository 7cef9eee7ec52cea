/* handlers_codes.c: organization codes (#76-#80) and the public
 * organization-code-info (#75). A code is what a person types at sign-up
 * to join an organization; its id is the code itself. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_principal.h"
#include "codes.h"
#include "handlers.h"
#include "input.h"
#include "onboarding.pb-c.h"
#include "peers.h"
#include "store.h"
#include "validate.h"

#define CODE_TYPE "organization-codes"
#define ATTRS "/data/attributes"
#define ORG_CACHE 16        /* organizations remembered while listing */
#define GENERATE_TRIES 3    /* generated ids tried before giving up on collisions */

static const char *const code_states[] = {"archived",  "confirmed", "disabled",
                                          "force_reset_password", "init", "registered",
                                          "registered_disabled", NULL};

/* --- organizations, looked up once per request --- */

struct org_cache {
    int n;
    struct {
        cm_err err;
        struct org_facts f;
    } e[ORG_CACHE];
    struct org_facts overflow; /* used once the cache is full */
};

/* Facts of organization id into *out, NULL when identity does not know it.
 * Other failures (identity down) are returned. */
static cm_err org_of(struct cm_worker *w, struct org_cache *cache, const char *id,
                     const struct org_facts **out)
{
    struct org_facts *f = cache->n < ORG_CACHE ? &cache->e[cache->n].f : &cache->overflow;
    cm_err err;

    for (int i = 0; i < cache->n; i++)
        if (!strcmp(cache->e[i].f.id, id)) {
            *out = cache->e[i].err == CM_OK ? &cache->e[i].f : NULL;
            return CM_OK;
        }
    memset(f, 0, sizeof *f);
    err = peers_get_organization(w, id, f);
    if (err != CM_OK && err != CM_ENOTFOUND)
        return err;
    snprintf(f->id, sizeof f->id, "%s", id);
    if (f != &cache->overflow)
        cache->e[cache->n++].err = err;
    *out = err == CM_OK ? f : NULL;
    return CM_OK;
}

/* --- documents --- */

/* The stored JSON text as a value; null when NULL. */
static json_t *json_text(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

/* An organization-codes resource: c with org's facts (NULL: unknown). */
static json_t *code_resource(const struct org_code *c, const struct org_facts *org)
{
    json_t *attrs = json_object(), *group = json_null();

    if (c->individual_group_id[0])
        group = json_pack("{s:s, s:n}", "id", c->individual_group_id, "name");
    json_object_set_new(attrs, "enrollment-schema", json_text(c->enrollment_schema));
    json_object_set_new(attrs, "expires-at", cm_json_str_or_null(c->expires_at));
    json_object_set_new(attrs, "individual-group", group);
    json_object_set_new(
        attrs, "organization",
        json_pack("{s:o, s:s, s:o}", "display-name",
                  org ? json_string(org->display_name) : json_null(), "id", c->organization_id,
                  "name", org ? json_string(org->name) : json_null()));
    json_object_set_new(attrs, "sign-up-requests-count", json_integer(c->sign_up_count));
    return cm_jsonapi_resource(CODE_TYPE, c->id, attrs);
}

/* Responds with one code (status) and its organization's facts: org, or
 * looked up when NULL. */
static cm_err respond_code(struct cm_req *rq, struct cm_resp *out, int status,
                           const struct org_code *c, const struct org_facts *org)
{
    struct org_cache *cache;
    cm_err err = CM_OK;

    if (!org) {
        cache = calloc(1, sizeof *cache);
        if (!cache)
            return cm_fail(rq, CM_ENOMEM, "out of memory");
        err = org_of(rq->w, cache, c->organization_id, &org);
        if (err == CM_OK)
            cm_resp_json(out, rq, status, cm_jsonapi_doc(code_resource(c, org)));
        free(cache);
    } else {
        cm_resp_json(out, rq, status, cm_jsonapi_doc(code_resource(c, org)));
    }
    return err == CM_OK ? CM_OK
                        : cm_fail(rq, err, "the organization could not be read, retry later");
}

/* --- shared steps --- */

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Code {id} of the path when the caller administers its organization, into
 * *out (store_code_release it); 401 without credentials, 404 otherwise. */
static cm_err visible_code(struct cm_req *rq, struct org_code *out)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (!id || !validate_code_id(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such organization code");
    err = store_code_get(rq->w->pg, id, out);
    if (err == CM_OK && !cm_principal_org_admin(rq, out->organization_id)) {
        store_code_release(out);
        err = CM_ENOTFOUND;
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such organization code");
    return err;
}

/* Writes the change (store_code_insert or _update) and its event in one
 * transaction; the row goes to *out. */
static cm_err write_code(PGconn *pg, const char *change, const struct code_fields *f,
                         struct org_code *out)
{
    Onboarding__OrganizationCodeChanged ev = ONBOARDING__ORGANIZATION_CODE_CHANGED__INIT;
    char subject[96];
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = !strcmp(change, "created") ? store_code_insert(pg, f, out)
                                         : store_code_update(pg, f, out);
    if (err == CM_OK) {
        snprintf(subject, sizeof subject, "%s%s", ONBOARDING_EVT_ORGANIZATION_CODE, change);
        ev.organization_code_id = out->id;
        ev.change = (char *)change;
        ev.organization_id = out->organization_id;
        ev.expires_at = out->expires_at;
        ev.occurred_at = out->occurred_at;
        err = cm_outbox_add(pg, subject, &ev.base, NULL);
        if (err != CM_OK)
            store_code_release(out);
    }
    if (err == CM_OK) {
        err = cm_pg_commit(pg);
        if (err != CM_OK)
            store_code_release(out);
    }
    if (err != CM_OK)
        cm_pg_rollback(pg);
    return err;
}

/* Reads the changeable attributes present in attrs into f (set_* flags);
 * group holds the group id f points at, schema gets the JSON text f points
 * at (caller frees). */
static cm_err read_changes(struct cm_req *rq, const json_t *attrs, struct code_fields *f,
                           char group[CM_UUID_LEN + 1], char **schema)
{
    cm_err err;

    *schema = NULL;
    f->set_expires_at = json_object_get(attrs, "expires-at") != NULL;
    f->set_group = json_object_get(attrs, "individual-group-id") != NULL;
    f->set_schema = json_object_get(attrs, "enrollment-schema") != NULL;
    err = input_checked_str(rq, attrs, ATTRS, "expires-at", 0, 64, validate_rfc3339,
                            "an RFC 3339 date-time", &f->expires_at);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTRS, "individual-group-id", 0, group);
    f->individual_group_id = group[0] ? group : NULL;
    if (err == CM_OK)
        err = input_object_text(rq, attrs, ATTRS, "enrollment-schema", schema);
    f->enrollment_schema = *schema;
    return err;
}

/* A store error of a write, as the response says it. */
static cm_err write_failed(struct cm_req *rq, cm_err err)
{
    if (err == CM_EINVAL)
        return cm_fail_at(rq, err, ATTRS "/expires-at", NULL, "expires-at is out of range");
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such organization code");
    return cm_fail(rq, err, "the organization code could not be saved");
}

/* --- handlers --- */

struct list_ctx {
    struct cm_worker *w;
    struct org_cache cache;
    json_t *data;
};

static cm_err list_one(void *ctx, const struct org_code *c)
{
    struct list_ctx *l = ctx;
    const struct org_facts *org = NULL;
    cm_err err = org_of(l->w, &l->cache, c->organization_id, &org);

    if (err == CM_OK)
        json_array_append_new(l->data, code_resource(c, org));
    return err;
}

cm_err codes_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"page[limit]", "page[offset]", "filter[organization-id]",
                                        "organization-id", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    char filter[CM_UUID_LEN + 1], alt[CM_UUID_LEN + 1], own[CM_UUID_LEN + 1];
    struct list_ctx *l;
    long limit, offset;
    int visible = 1;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "filter[organization-id]", filter);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", alt);
    if (err != CM_OK)
        return err;
    if (!filter[0])
        memcpy(filter, alt, sizeof filter);
    lower(filter);
    if (!cm_principal_platform_admin(rq)) {
        /* an organization admin sees the codes of their own organization */
        snprintf(own, sizeof own, "%s", p->organization_id);
        lower(own);
        visible = own[0] && cm_principal_org_admin(rq, p->organization_id) &&
                  (!filter[0] || !strcmp(filter, own));
        memcpy(filter, own, sizeof filter);
    }
    l = calloc(1, sizeof *l);
    if (!l)
        return cm_fail(rq, CM_ENOMEM, "out of memory");
    l->w = rq->w;
    l->data = json_array();
    if (visible)
        err = store_code_list(rq->w->pg, filter, limit, offset, list_one, l);
    if (err == CM_OK)
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(l->data));
    else
        json_decref(l->data);
    free(l);
    return err == CM_OK ? CM_OK : cm_fail(rq, err, "the organization codes could not be read");
}

cm_err codes_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"id", "organization-id", "individual-group-id",
                                          "enrollment-schema", "expires-at", NULL};
    const Envelope__Principal *p = cm_principal_of(rq);
    struct code_fields f = {0};
    struct org_code c = {0};
    struct org_facts org;
    char org_id[CM_UUID_LEN + 1], group[CM_UUID_LEN + 1], *schema = NULL;
    char generated[CODE_ID_GENERATED_LEN + 1];
    json_t *doc = NULL, *attrs;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, CODE_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = input_checked_str(rq, attrs, ATTRS, "id", 0, CODE_ID_MAX, validate_code_id,
                                "1 to 64 characters of A-Z, a-z, 0-9, _ and -", &f.id);
    if (err == CM_OK)
        err = cm_json_uuid(rq, attrs, ATTRS, "organization-id", 1, org_id);
    if (err == CM_OK)
        err = read_changes(rq, attrs, &f, group, &schema);
    if (err != CM_OK)
        goto done;
    lower(org_id);
    if (!cm_principal_org_admin(rq, org_id)) {
        err = cm_fail_at(rq, CM_ENOTFOUND, ATTRS "/organization-id", NULL, "no such organization");
        goto done;
    }
    err = peers_get_organization(rq->w, org_id, &org);
    if (err == CM_ENOTFOUND)
        err = cm_fail_at(rq, err, ATTRS "/organization-id", NULL, "no such organization");
    else if (err != CM_OK)
        err = cm_fail(rq, err, "the organization could not be read, retry later");
    if (err != CM_OK)
        goto done;
    f.organization_id = org_id;
    f.created_by = p->user_id;
    for (int tries = 0; tries < GENERATE_TRIES; tries++) {
        int generating = f.id == NULL || f.id == generated;
        if (generating) {
            codes_new_id(generated);
            f.id = generated;
        }
        err = write_code(rq->w->pg, "created", &f, &c);
        if (err != CM_ECONFLICT || !generating)
            break;
    }
    if (err == CM_ECONFLICT)
        err = cm_fail_at(rq, err, ATTRS "/id", NULL, "this organization code exists already");
    else if (err != CM_OK)
        err = write_failed(rq, err);
    if (err == CM_OK) {
        cm_info("organization code created for organization %s", org_id);
        err = respond_code(rq, out, 201, &c, &org);
    }
    store_code_release(&c);
done:
    free(schema);
    json_decref(doc);
    return err;
}

cm_err codes_read(struct cm_req *rq, struct cm_resp *out)
{
    struct org_code c = {0};
    cm_err err = visible_code(rq, &c);

    if (err != CM_OK)
        return err;
    err = respond_code(rq, out, 200, &c, NULL);
    store_code_release(&c);
    return err;
}

cm_err codes_update(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"enrollment-schema", "expires-at",
                                          "individual-group-id", NULL};
    struct code_fields f = {0};
    struct org_code c = {0}, after = {0};
    char group[CM_UUID_LEN + 1], *schema = NULL;
    json_t *doc = NULL, *attrs;
    cm_err err = visible_code(rq, &c);

    if (err != CM_OK)
        return err;
    err = cm_req_jsonapi(rq, CODE_TYPE, c.id, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = read_changes(rq, attrs, &f, group, &schema);
    if (err == CM_OK) {
        f.id = c.id;
        err = write_code(rq->w->pg, "updated", &f, &after);
        if (err != CM_OK)
            err = write_failed(rq, err);
    }
    if (err == CM_OK) {
        err = respond_code(rq, out, 200, &after, NULL);
        store_code_release(&after);
    }
    free(schema);
    json_decref(doc);
    store_code_release(&c);
    return err;
}

static cm_err user_one(void *ctx, const struct code_user *u)
{
    json_t *data = ctx, *attrs;
    int registered = !strcmp(u->state, "registered");

    attrs = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:s,"
                      " s:[s], s:s, s:o, s:s}",
                      "username", u->username, "email", u->email, "first-name", u->first_name,
                      "last-name", u->last_name, "birth-date", cm_json_str_or_null(u->birth_date),
                      "locale", u->locale, "tz", u->tz, "phone", u->phone, "state", u->state,
                      "email-verified", u->email_verified, "registered", registered,
                      "auto-sign-up", u->auto_sign_up, "organization-id", u->organization_id,
                      "default-organization-id", u->organization_id, "organization-ids",
                      u->organization_id, "date-created", u->created_at,
                      "registration-completed-time", cm_json_str_or_null(u->confirmed_at),
                      "registration-invite", "accepted");
    json_array_append_new(data, cm_jsonapi_resource("organization-code-users", u->user_id, attrs));
    return CM_OK;
}

cm_err codes_users(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"email", "email-verified", "page[limit]", "page[offset]",
                                        "state", "text", NULL};
    struct code_user_filter f = {0};
    struct org_code c = {0};
    char email[256 * 4 + 1], state[32 * 4 + 1], text[256 * 4 + 1], probe[8];
    json_t *data;
    cm_err err = visible_code(rq, &c);

    if (err != CM_OK)
        return err;
    f.email_verified = -1;
    err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &f.limit, &f.offset);
    if (err == CM_OK)
        err = cm_query_text(rq, "email", 255, email, sizeof email);
    if (err == CM_OK && cm_query_get(rq, "email-verified", probe, sizeof probe) != 0)
        err = cm_query_bool(rq, "email-verified", 0, &f.email_verified);
    if (err == CM_OK)
        err = cm_query_text(rq, "state", 32, state, sizeof state);
    if (err == CM_OK && state[0] && !validate_enum(state, code_states))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "state", "state is not a known user state");
    if (err == CM_OK)
        err = cm_query_text(rq, "text", 255, text, sizeof text);
    if (err == CM_OK) {
        f.email = email;
        f.state = state;
        f.text = text;
        data = json_array();
        err = store_code_users(rq->w->pg, c.id, &f, user_one, data);
        if (err == CM_OK)
            cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
        else
            json_decref(data);
        if (err != CM_OK)
            err = cm_fail(rq, err, "the users could not be read");
    }
    store_code_release(&c);
    return err;
}

cm_err code_info(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    struct org_code c = {0};
    struct org_facts org;
    json_t *attrs;
    cm_err err = CM_ENOTFOUND;

    if (id && validate_code_id(id))
        err = store_code_get(rq->w->pg, id, &c);
    if (err == CM_OK && c.expired)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        err = peers_get_organization(rq->w, c.organization_id, &org);
    if (err == CM_OK && !org.is_active)
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        attrs = json_pack("{s:o, s:{s:s, s:o, s:s}}", "enrollment-schema",
                          json_text(c.enrollment_schema), "organization", "display-name",
                          org.display_name, "logo-url", cm_json_str_or_null(org.logo_url),
                          "name", org.name);
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(cm_jsonapi_resource("organization-code-info",
                                                                      c.id, attrs)));
    }
    store_code_release(&c);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such organization code, or it has expired");
    return err == CM_OK ? CM_OK : cm_fail(rq, err, "the organization code could not be read");
}
