/* handlers_orgs.c: the organizations resource (#101-#105, #107), the
 * checks and events shared with user-organizations, roles and API clients
 * (handlers_orgs.h), and identity.rpc.GetOrganization. */
#include <stdio.h>
#include <string.h>

#include "clinical_rpc.h"
#include "cm_jsonapi.h"
#include "org_json.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "cm_principal.h"
#include "handlers.h"
#include "identity.pb-c.h"
#include "revoke.h"
#include "store.h"
#include "store_roles.h"
#include "store_users.h"

#define ORG_TYPE "organizations"
#define ATTR "/data/attributes"
#define CMP_PARAM "filter[cmp-last-modified-time]"
#define NAME_MAX_CHARS 255

/* --- shared --- */

void orgs_scope_of(const struct cm_req *rq, struct org_scope *out)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    memset(out, 0, sizeof *out);
    if (cm_principal_platform_admin(rq))
        out->all = 1;
    else if (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && cm_uuid_valid(p->user_id))
        memcpy(out->member_of, p->user_id, CM_UUID_LEN + 1);
    else if (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT &&
             cm_uuid_valid(p->organization_id))
        memcpy(out->only_org, p->organization_id, CM_UUID_LEN + 1);
}

cm_err orgs_of_path(struct cm_req *rq, int must_admin, struct org_list *res)
{
    const char *id = cm_req_param(rq, "id");
    struct org_scope scope;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    orgs_scope_of(rq, &scope);
    err = id && cm_uuid_valid(id) ? store_org_get(rq->w->pg, id, &scope, res) : CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such organization");
    if (err == CM_OK && must_admin && !cm_principal_org_admin(rq, id)) {
        store_org_list_free(res);
        return cm_fail(rq, CM_EDENIED,
                       "only an administrator of this organization (in its current "
                       "organization) or the platform admin may change it");
    }
    return err;
}

void orgs_add_scope(const struct cm_req *rq, const char *org, char *member_of)
{
    snprintf(member_of, 40, "%s", cm_principal_platform_admin(rq) ? "" : org);
}

cm_err orgs_target_user(struct cm_req *rq, const json_t *attrs, const char *member_of,
                        struct user_ref *out)
{
    char user_id[CM_UUID_LEN + 1];
    const char *email = NULL;
    cm_err err = cm_json_uuid(rq, attrs, ATTR, "user-id", 0, user_id);

    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "email", 0, 0, NAME_MAX_CHARS, &email);
    if (err != CM_OK)
        return err;
    if (!user_id[0] && !email)
        return cm_fail_at(rq, CM_EINVAL, ATTR "/user-id", NULL, "user-id or email is required");
    err = store_user_find(rq->w->pg, user_id, email ? email : "", member_of, out);
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, user_id[0] ? ATTR "/user-id" : ATTR "/email", NULL,
                          member_of[0] ? "no such member of the organization" : "no such user");
    if (err == CM_ECONFLICT)
        return cm_fail_at(rq, CM_EINVAL, ATTR "/email", NULL,
                          "several users have this email: give user-id");
    return err;
}

cm_err orgs_event_role(PGconn *pg, const char *user, const char *role_id, const char *role_name,
                       const char *org, const char *change)
{
    Identity__RoleMembershipChanged ev = IDENTITY__ROLE_MEMBERSHIP_CHANGED__INIT;

    ev.user_id = (char *)user;
    ev.role_id = (char *)role_id;
    ev.role_name = (char *)role_name;
    ev.organization_id = (char *)org;
    ev.change = (char *)change;
    return cm_outbox_add_now(pg, IDENTITY_EVT_ROLE, change, &ev.base);
}

/* Writes MembershipChanged (IDENTITY_EVT_MEMBERSHIP + change). */
static cm_err event_membership(PGconn *pg, const char *user, const char *org, const char *change)
{
    Identity__MembershipChanged ev = IDENTITY__MEMBERSHIP_CHANGED__INIT;

    ev.user_id = (char *)user;
    ev.organization_id = (char *)org;
    ev.change = (char *)change;
    return cm_outbox_add_now(pg, IDENTITY_EVT_MEMBERSHIP, change, &ev.base);
}

/* Writes OrganizationChanged (IDENTITY_EVT_ORGANIZATION + change) for o. */
static cm_err event_org(PGconn *pg, const struct org_rec *o, const char *change)
{
    Identity__OrganizationChanged ev = IDENTITY__ORGANIZATION_CHANGED__INIT;
    char subject[64];

    snprintf(subject, sizeof subject, "%s%s", IDENTITY_EVT_ORGANIZATION, change);
    ev.organization_id = (char *)o->id;
    ev.change = (char *)change;
    ev.name = (char *)o->name;
    ev.display_name = (char *)o->display_name;
    ev.is_active = o->is_active;
    ev.occurred_at = (char *)o->occurred_at;
    return cm_outbox_add(pg, subject, &ev.base, NULL);
}

void orgs_respond_null(struct cm_req *rq, struct cm_resp *out)
{
    cm_resp_json(out, rq, 201, json_null());
}

cm_err orgs_membership_add(PGconn *pg, const char *user, const char *org, const char *role_id,
                           int *added)
{
    struct role_list role = {0};
    char ru_id[24];
    int role_added = 0;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_membership_add(pg, user, org, added);
    if (err == CM_OK && *added)
        err = event_membership(pg, user, org, "added");
    if (err == CM_OK && role_id[0])
        err = store_role_user_add(pg, role_id, user, &role_added, ru_id);
    if (err == CM_OK && role_added)
        err = store_role_get(pg, role_id, &(struct org_scope){1, "", ""}, &role);
    if (err == CM_OK && role_added)
        err = orgs_event_role(pg, user, role_id, role.items[0].name, org, "added");
    store_role_list_free(&role);
    return cm_pg_end(pg, err);
}

/* --- the resource --- */

/* Answers status with the one organization of res, which it releases. */
static cm_err respond_org(struct cm_req *rq, struct cm_resp *out, int status,
                          struct org_list *res)
{
    json_t *r = org_json_resource(&res->items[0]);

    store_org_list_free(res);
    cm_resp_json(out, rq, status, r ? cm_jsonapi_doc(r) : NULL);
    return CM_OK;
}

/* One filter[cmp-last-modified-time] item into q; two of one kind keep the
 * stricter. */
static cm_err cmp_item(struct cm_req *rq, const char *value, void *ctx)
{
    struct org_list_query *q = ctx;
    char op[3], when[CM_TIME_LEN], *slot;
    int n = (q->modified_before[0] != '\0') + (q->modified_after[0] != '\0');

    if (cm_cmp_time_parse(value, 0, op, when) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM,
                          "each comparison is < or > followed by an RFC 3339 date-time");
    slot = op[0] == '<' ? q->modified_before : q->modified_after;
    if (slot[0] || n >= 2)
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM,
                          "at most 2 comparisons, one of each kind");
    snprintf(slot, ORG_TIME_LEN, "%s", when);
    return CM_OK;
}

cm_err orgs_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {CMP_PARAM,
                                        "filter[include-inactive]",
                                        "filter[name]",
                                        "filter[name][contains]",
                                        "page[limit]",
                                        "page[offset]",
                                        NULL};
    struct org_list_query q = {0};
    struct org_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_each(rq, CMP_PARAM, 40, cmp_item, &q);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-inactive]", 0, &q.include_inactive);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[name]", NAME_MAX_CHARS, q.name, sizeof q.name);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[name][contains]", NAME_MAX_CHARS, q.name_contains,
                            sizeof q.name_contains);
    if (err == CM_OK)
        err = cm_query_page(rq, 25, 1, 1000, &q.limit, &q.offset);
    if (err != CM_OK)
        return err;
    orgs_scope_of(rq, &q.scope);
    err = store_orgs_list(rq->w->pg, &q, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(org_json_list(&res)));
    store_org_list_free(&res);
    return CM_OK;
}

/* Reads the theme-id attribute: a uuid, or null or {} for none (the seed's
 * request sample shows {}, its responses a uuid). */
static cm_err read_theme(struct cm_req *rq, const json_t *attrs, struct org_fields *f, char *theme)
{
    const json_t *v = json_object_get(attrs, "theme-id");

    if (!v)
        return CM_OK;
    f->theme_given = 1;
    f->theme_id = "";
    if (json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0))
        return CM_OK;
    if (!json_is_string(v) || !cm_uuid_valid(json_string_value(v)))
        return cm_fail_at(rq, CM_EINVAL, ATTR "/theme-id", NULL,
                          "theme-id must be a uuid, or null or {} for none");
    snprintf(theme, CM_UUID_LEN + 1, "%s", json_string_value(v));
    f->theme_id = theme;
    return CM_OK;
}

/* Reads the attributes of create (name required) or update into f; theme
 * (CM_UUID_LEN + 1 bytes) holds the theme id. Values borrow from attrs. */
static cm_err read_fields(struct cm_req *rq, const json_t *attrs, int create, struct org_fields *f,
                          char *theme)
{
    cm_err err = cm_json_str(rq, attrs, ATTR, "name", create, 0, NAME_MAX_CHARS, &f->name);

    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "display-name", 0, 1, NAME_MAX_CHARS, &f->display_name);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "classification", 0, 0, 32, &f->classification);
    if (err == CM_OK && f->classification && strcmp(f->classification, "carium") &&
        strcmp(f->classification, "customer") && strcmp(f->classification, "customer_test"))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/classification", NULL,
                         "classification must be carium, customer or customer_test");
    if (err == CM_OK)
        err =
            cm_json_str(rq, attrs, ATTR, "provider-type", 0, 1, NAME_MAX_CHARS, &f->provider_type);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "authorization-type", 0, 0, 32, &f->authorization_type);
    if (err == CM_OK && f->authorization_type && strcmp(f->authorization_type, "open") &&
        strcmp(f->authorization_type, "closed"))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/authorization-type", NULL,
                         "authorization-type must be open or closed");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "timezone", 0, 1, 64, &f->timezone);
    if (err == CM_OK && f->timezone && f->timezone[0] &&
        store_tz_valid(rq->w->pg, f->timezone) != CM_OK)
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/timezone", NULL,
                         "timezone must be an IANA time zone such as America/New_York");
    if (err == CM_OK)
        err = read_theme(rq, attrs, f, theme);
    return err;
}

static const char *const org_attrs[] = {
    "authorization-type", "classification", "display-name", "name",
    "provider-type",      "theme-id",       "timezone",     NULL};

/* Reads the document (id: the path's for an update, NULL for a create) and
 * writes the organization with its event in one transaction; answers it
 * with status. Names are unique: a taken one is a 409 on /name. */
static cm_err save_org(struct cm_req *rq, struct cm_resp *out, const char *id)
{
    struct org_fields f = {0};
    char theme[CM_UUID_LEN + 1];
    json_t *doc = NULL, *attrs;
    struct org_list res = {0};
    cm_err err = cm_req_jsonapi(rq, ORG_TYPE, id, org_attrs, &doc, &attrs);

    if (err == CM_OK)
        err = read_fields(rq, attrs, id == NULL, &f, theme);
    if (err == CM_OK && id && f.name && !cm_principal_platform_admin(rq)) /* clinical_rpc.h */
        err = clinical_org_rename_check(rq, id, f.name);
    if (err == CM_OK)
        err = cm_pg_begin(rq->w->pg);
    if (err == CM_OK) {
        err = id ? store_org_update(rq->w->pg, id, &f, &res) : store_org_create(rq->w->pg, &f, &res);
        if (err == CM_OK)
            err = event_org(rq->w->pg, &res.items[0], id ? "updated" : "created");
        err = cm_pg_end(rq->w->pg, err);
        if (err == CM_ECONFLICT)
            err = cm_fail_at(rq, err, ATTR "/name", NULL, "an organization has this name");
    }
    json_decref(doc);
    if (err != CM_OK) {
        store_org_list_free(&res);
        return err;
    }
    return respond_org(rq, out, id ? 200 : 201, &res);
}

cm_err orgs_create(struct cm_req *rq, struct cm_resp *out)
{
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && !cm_principal_platform_admin(rq))
        err = cm_fail(rq, CM_EDENIED, "only the platform admin creates organizations");
    return err == CM_OK ? save_org(rq, out, NULL) : err;
}

cm_err orgs_read(struct cm_req *rq, struct cm_resp *out)
{
    struct org_list res = {0};
    cm_err err = orgs_of_path(rq, 0, &res);

    return err == CM_OK ? respond_org(rq, out, 200, &res) : err;
}

cm_err orgs_update(struct cm_req *rq, struct cm_resp *out)
{
    struct org_list res = {0};
    cm_err err = orgs_of_path(rq, 1, &res);

    store_org_list_free(&res);
    return err == CM_OK ? save_org(rq, out, cm_req_param(rq, "id")) : err;
}

/* Reads the optional role-id attribute: a role of org, into role_id
 * (CM_UUID_LEN + 1 bytes, "" when not given). 404 on it otherwise. */
static cm_err read_org_role(struct cm_req *rq, const json_t *attrs, const char *org, char *role_id)
{
    static const struct org_scope all = {1, "", ""};
    struct role_list role = {0};
    cm_err err = cm_json_uuid(rq, attrs, ATTR, "role-id", 0, role_id);

    if (err != CM_OK || !role_id[0])
        return err;
    err = store_role_get(rq->w->pg, role_id, &all, &role);
    if (err == CM_OK && strcmp(role.items[0].organization_id, org))
        err = CM_ENOTFOUND;
    store_role_list_free(&role);
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, ATTR "/role-id", NULL, "no such role in this organization");
    return err;
}

cm_err orgs_add_user(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"email", "role-id", "user-id", NULL};
    const char *org = cm_req_param(rq, "id");
    char role_id[CM_UUID_LEN + 1], member_of[40];
    json_t *doc = NULL, *attrs;
    struct user_ref user;
    struct org_list res = {0};
    int added;
    cm_err err = orgs_of_path(rq, 1, &res);

    store_org_list_free(&res);
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, ORG_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = read_org_role(rq, attrs, org, role_id);
    if (err == CM_OK) {
        orgs_add_scope(rq, org, member_of);
        err = orgs_target_user(rq, attrs, member_of, &user);
    }
    if (err == CM_OK)
        err = orgs_membership_add(rq->w->pg, user.id, org, role_id, &added);
    json_decref(doc);
    if (err == CM_OK)
        orgs_respond_null(rq, out);
    return err;
}

cm_err orgs_remove_user(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"email", "user-id", NULL};
    const char *org = cm_req_param(rq, "id");
    json_t *doc = NULL, *attrs;
    struct user_ref user;
    struct org_list res = {0};
    struct removed_roles roles = {0};
    int removed = 0;
    cm_err err = orgs_of_path(rq, 1, &res);

    store_org_list_free(&res);
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, ORG_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = orgs_target_user(rq, attrs, org, &user);
    if (err == CM_OK)
        err = cm_pg_begin(rq->w->pg);
    if (err == CM_OK) {
        err = store_membership_remove(rq->w->pg, user.id, org, &removed, &roles);
        for (size_t i = 0; err == CM_OK && i < roles.n; i++)
            err = orgs_event_role(rq->w->pg, user.id, roles.items[i].role_id,
                                  roles.items[i].role_name, org, "removed");
        if (err == CM_OK && removed)
            err = event_membership(rq->w->pg, user.id, org, "removed");
        /* tokens naming the organization or its roles stop (revoke.h) */
        if (err == CM_OK && (removed || roles.n > 0))
            err = revoke_user_tokens(rq->w->pg, user.id, "membership_removed",
                                     REVOKE_SESSIONS_OF_ORG, org);
        err = cm_pg_end(rq->w->pg, err);
    }
    store_removed_roles_free(&roles);
    json_decref(doc);
    if (err == CM_OK)
        orgs_respond_null(rq, out);
    return err;
}

/* --- RPC --- */

cm_err rpc_get_organization(struct cm_worker *w, const Envelope__RpcRequest *req,
                            uint8_t **out_payload, size_t *out_len)
{
    Identity__GetOrganizationRequest *in;
    Identity__GetOrganizationReply reply = IDENTITY__GET_ORGANIZATION_REPLY__INIT;
    struct org_list res = {0};
    const struct org_rec *o;
    cm_err err;

    in = identity__get_organization_request__unpack(NULL, req->payload.len, req->payload.data);
    if (!in)
        return cm_rpc_fail(w, CM_EINVAL, "malformed GetOrganizationRequest");
    err = cm_uuid_valid(in->organization_id) ? store_org_get(w->pg, in->organization_id, NULL, &res)
                                             : CM_ENOTFOUND;
    identity__get_organization_request__free_unpacked(in, NULL);
    if (err != CM_OK)
        return err == CM_ENOTFOUND ? cm_rpc_fail(w, err, "no such organization") : err;
    o = &res.items[0];
    reply.id = (char *)o->id;
    reply.name = (char *)o->name;
    reply.display_name = (char *)o->display_name;
    reply.logo_url = (char *)o->logo_url;
    reply.is_active = o->is_active;
    *out_payload = cm_pack(&reply.base, out_len);
    store_org_list_free(&res);
    return CM_OK;
}
