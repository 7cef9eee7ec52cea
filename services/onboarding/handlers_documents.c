/* handlers_documents.c: service documents (#126, #127), public: a sign-up
 * form shows them before anyone has an account. The documents of a
 * request are the platform's and those of the organizations it names:
 * directly (organizations), or through an organization code
 * (organization-code, referral-code). Who must agree to what is
 * agreements.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "doc_json.h"
#include "handlers.h"
#include "store.h"
#include "store_documents.h"
#include "validate.h"

#define ORGS_MAX 10 /* organizations[] items */

/* The organizations of a list request, as a JSON array of uuids. */
struct orgs_ctx {
    json_t *ids;
};

static cm_err add_org(struct cm_req *rq, const char *value, void *ctx)
{
    struct orgs_ctx *o = ctx;

    if (!cm_uuid_valid(value))
        return cm_fail_at(rq, CM_EINVAL, NULL, "organizations", "organizations must hold uuids");
    if (json_array_size(o->ids) >= ORGS_MAX)
        return cm_fail_at(rq, CM_EINVAL, NULL, "organizations",
                          "organizations holds at most %d uuids", ORGS_MAX);
    json_array_append_new(o->ids, json_string(value));
    return CM_OK;
}

/* Adds the organization of code parameter name (when given) to ids: an
 * unknown or expired code is 404 at that parameter. */
static cm_err add_code_org(struct cm_req *rq, const char *name, json_t *ids)
{
    char code[20 * 4 + 1];
    struct org_code c = {0};
    cm_err err = cm_query_text(rq, name, 20, code, sizeof code);

    if (err != CM_OK || !code[0])
        return err;
    err = validate_code_id(code) ? store_code_get(rq->w->pg, code, &c) : CM_ENOTFOUND;
    if (err == CM_OK && c.expired)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        json_array_append_new(ids, json_string(c.organization_id));
    store_code_release(&c);
    if (err == CM_ENOTFOUND)
        return cm_fail_at(rq, err, NULL, name, "no such organization code");
    return err != CM_OK ? cm_fail(rq, err, "the organization code could not be read") : CM_OK;
}

cm_err service_documents_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"latest", "organization-code", "organizations",
                                        "referral-code", NULL};
    struct orgs_ctx o = {json_array()};
    struct doc_list l = {0};
    char probe[8], *orgs = NULL;
    int latest = 1;
    json_t *data;
    cm_err err = cm_query_known(rq, known);

    if (err == CM_OK && cm_query_get(rq, "latest", probe, sizeof probe) == 0)
        err = cm_fail_at(rq, CM_EINVAL, NULL, "latest", "latest is required (true or false)");
    if (err == CM_OK)
        err = cm_query_bool(rq, "latest", 1, &latest);
    if (err == CM_OK)
        err = cm_query_each(rq, "organizations", 36, add_org, &o);
    if (err == CM_OK)
        err = add_code_org(rq, "organization-code", o.ids);
    if (err == CM_OK)
        err = add_code_org(rq, "referral-code", o.ids);
    if (err == CM_OK) {
        orgs = json_dumps(o.ids, JSON_COMPACT);
        err = orgs ? store_docs_list(rq->w->pg, orgs, latest, &l) : CM_ENOMEM;
        if (err != CM_OK)
            err = cm_fail(rq, err, "the service documents could not be read");
    }
    if (err == CM_OK) {
        data = json_array();
        for (size_t i = 0; i < l.n; i++)
            json_array_append_new(data, doc_resource(&l.items[i], NULL, 0, 0));
        cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    }
    store_doc_list_free(&l);
    free(orgs);
    json_decref(o.ids);
    return err;
}

cm_err service_documents_read(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"html", "locale", "reflow", NULL};
    const char *id = cm_req_param(rq, "id");
    char locale[16 * 4 + 1];
    struct doc_list l = {0};
    int html = 0, reflow = 0;
    cm_err err = cm_query_known(rq, known);

    if (err == CM_OK)
        err = cm_query_bool(rq, "html", 0, &html);
    if (err == CM_OK)
        err = cm_query_bool(rq, "reflow", 0, &reflow);
    if (err == CM_OK)
        err = cm_query_text(rq, "locale", 16, locale, sizeof locale);
    if (err != CM_OK)
        return err;
    err = id && cm_uuid_valid(id) ? store_doc_get(rq->w->pg, id, &l) : CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such service document");
    if (err != CM_OK)
        return cm_fail(rq, err, "the service document could not be read");
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(doc_resource(&l.items[0], locale, html, reflow)));
    store_doc_list_free(&l);
    return CM_OK;
}
