/* handlers_templates.c: the organization email and SMS template operations
 * (handlers_templates.h): input (templates_input.h), access (below), store
 * (store_templates.h), render (template_json.h). */
#include "handlers_templates.h"

#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "spool.h"
#include "store_templates.h"
#include "template_json.h"
#include "templates_input.h"

static const struct template_kind email_kind = {"email", "organization-email-templates"};
static const struct template_kind sms_kind = {"sms", "organization-sms-templates"};

/* --- access --- */

/* Which organizations' templates the caller lists, into f: the asked one
 * when the caller administers it (none otherwise: an empty list), else
 * every one for the platform admin, else the caller's current organization
 * for its admin. 401 without credentials, 403 for a caller who administers
 * nothing. */
static cm_err list_scope(struct cm_req *rq, const struct template_query *q,
                         struct template_filter *f, int *out_none)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    cm_err err = cm_principal_require(rq);

    *out_none = 0;
    if (err != CM_OK)
        return err;
    if (q->organization_id[0]) {
        f->organization_id = q->organization_id;
        *out_none = !cm_principal_org_admin(rq, q->organization_id);
        return CM_OK;
    }
    if (cm_principal_platform_admin(rq)) {
        f->all_orgs = 1;
        return CM_OK;
    }
    if (p->organization_id && p->organization_id[0] &&
        cm_principal_org_admin(rq, p->organization_id)) {
        f->organization_id = p->organization_id;
        return CM_OK;
    }
    return cm_fail(rq, CM_EDENIED, "only organization administrators manage templates");
}

/* Template {id} of the path when the caller administers its organization,
 * into *out (store_template_list_free it); 401 without credentials, 404
 * otherwise. */
static cm_err visible_template(struct cm_req *rq, const struct template_kind *k,
                               struct template_list *out)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such template");
    err = store_template_get(rq->w->pg, k->channel, id, out);
    if (err == CM_OK && !cm_principal_org_admin(rq, out->items[0].organization_id)) {
        store_template_list_free(out);
        err = CM_ENOTFOUND;
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such template");
    return err;
}

/* --- operations --- */

static cm_err list_all(struct cm_req *rq, struct cm_resp *out, const struct template_kind *k)
{
    struct template_query q;
    struct template_filter f;
    struct template_list l = {0, NULL, NULL};
    int none = 0;
    cm_err err = template_query_read(rq, k, &q);

    memset(&f, 0, sizeof f);
    if (err == CM_OK)
        err = list_scope(rq, &q, &f, &none);
    if (err != CM_OK)
        return err;
    f.channel = k->channel;
    f.theme_id = q.theme_id;
    f.type = q.type;
    f.locale = q.locale;
    f.format = q.format;
    f.limit = q.limit;
    f.offset = q.offset;
    if (!none) {
        err = store_templates_list(rq->w->pg, &f, &l);
        if (err != CM_OK)
            return cm_fail(rq, err, "the templates could not be read");
    }
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(template_json_list(&l)));
    store_template_list_free(&l);
    return CM_OK;
}

static cm_err create_one(struct cm_req *rq, struct cm_resp *out, const struct template_kind *k)
{
    struct template_fields f;
    struct template_list l = {0, NULL, NULL};
    char id[SPOOL_UUID_LEN + 1];
    json_t *doc = NULL;
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    err = template_body_read(rq, k, NULL, &f, &doc);
    if (err != CM_OK)
        return err;
    if (!cm_principal_org_admin(rq, f.organization_id)) {
        json_decref(doc);
        return cm_fail_at(rq, CM_EDENIED, "/data/attributes/organization-id", NULL,
                          "you do not administer this organization");
    }
    spool_uuid(id);
    err = store_template_insert(rq->w->pg, k->channel, id, &f, &l);
    json_decref(doc);
    if (err == CM_ECONFLICT)
        return cm_fail(rq, err,
                       "the organization already has a template of this type, theme, "
                       "locale and format");
    if (err != CM_OK)
        return cm_fail(rq, err, "the template could not be saved");
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(template_json(&l.items[0])));
    store_template_list_free(&l);
    return CM_OK;
}

static cm_err read_one(struct cm_req *rq, struct cm_resp *out, const struct template_kind *k)
{
    struct template_list l = {0, NULL, NULL};
    cm_err err = visible_template(rq, k, &l);

    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(template_json(&l.items[0])));
    store_template_list_free(&l);
    return CM_OK;
}

static cm_err update_one(struct cm_req *rq, struct cm_resp *out, const struct template_kind *k)
{
    struct template_fields f;
    struct template_list l = {0, NULL, NULL}, nl = {0, NULL, NULL};
    json_t *doc = NULL;
    cm_err err = visible_template(rq, k, &l);

    if (err != CM_OK)
        return err;
    err = template_body_read(rq, k, l.items[0].id, &f, &doc);
    if (err == CM_OK) {
        err = store_template_update(rq->w->pg, k->channel, l.items[0].id, &f, &nl);
        if (err == CM_ECONFLICT)
            err = cm_fail(rq, err,
                          "the organization already has a template of this type, "
                          "theme, locale and format");
        else if (err != CM_OK)
            err = cm_fail(rq, err, "the template could not be saved");
    }
    json_decref(doc);
    store_template_list_free(&l);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(template_json(&nl.items[0])));
    store_template_list_free(&nl);
    return CM_OK;
}

cm_err email_templates_list(struct cm_req *rq, struct cm_resp *out)
{
    return list_all(rq, out, &email_kind);
}

cm_err email_templates_create(struct cm_req *rq, struct cm_resp *out)
{
    return create_one(rq, out, &email_kind);
}

cm_err email_templates_read(struct cm_req *rq, struct cm_resp *out)
{
    return read_one(rq, out, &email_kind);
}

cm_err email_templates_update(struct cm_req *rq, struct cm_resp *out)
{
    return update_one(rq, out, &email_kind);
}

cm_err sms_templates_list(struct cm_req *rq, struct cm_resp *out)
{
    return list_all(rq, out, &sms_kind);
}

cm_err sms_templates_create(struct cm_req *rq, struct cm_resp *out)
{
    return create_one(rq, out, &sms_kind);
}

cm_err sms_templates_read(struct cm_req *rq, struct cm_resp *out)
{
    return read_one(rq, out, &sms_kind);
}

cm_err sms_templates_update(struct cm_req *rq, struct cm_resp *out)
{
    return update_one(rq, out, &sms_kind);
}
