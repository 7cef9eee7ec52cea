/* handlers_short_links.c: the url-shorteners operations and the public
 * redirect (handlers_short_links.h): input (short_links_input.h), access
 * (below), store (store_short_links.h), render (short_link_json.h). */
#include "handlers_short_links.h"

#include <ctype.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "short_link_json.h"
#include "short_links_input.h"
#include "store_short_links.h"

#define LIST_MAX 1000 /* the seed's list has no paging: the newest this many */

static const char *const list_query[] = {"code", "organization-id", NULL};

static int code_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > SHORT_CODE_LEN)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s))
            return 0;
    return 1;
}

/* Link {id} of the path when the caller administers its organization (the
 * platform admin: any), into *out; 401 without credentials, 404 otherwise. */
static cm_err visible_link(struct cm_req *rq, struct short_link_list *out)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such short link");
    err = store_short_link_get(rq->w->pg, id, out);
    if (err == CM_OK && !(out->items[0].organization_id[0]
                              ? cm_principal_org_admin(rq, out->items[0].organization_id)
                              : cm_principal_platform_admin(rq))) {
        store_short_link_list_free(out);
        err = CM_ENOTFOUND;
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such short link");
    return err;
}

cm_err short_links_list(struct cm_req *rq, struct cm_resp *out)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    char code[SHORT_CODE_LEN * 4 + 1], org[CM_UUID_LEN + 1];
    struct short_link_list l = {0, NULL, NULL};
    const char *scope = NULL;
    int all = 0;
    cm_err err = cm_query_known(rq, list_query);

    if (err == CM_OK)
        err = cm_query_text(rq, "code", SHORT_CODE_LEN, code, sizeof code);
    if (err == CM_OK && code[0] && !code_ok(code))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "code", "a code is 1..8 letters and digits");
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", org);
    if (err == CM_OK)
        err = cm_principal_require(rq);
    if (err != CM_OK)
        return err;
    if (org[0]) {
        scope = cm_principal_org_admin(rq, org) ? org : NULL;
    } else if (cm_principal_platform_admin(rq)) {
        all = 1;
    } else if (p->organization_id && cm_uuid_valid(p->organization_id) &&
               cm_principal_org_admin(rq, p->organization_id)) {
        scope = p->organization_id;
    } else {
        return cm_fail(rq, CM_EDENIED, "only organization administrators manage short links");
    }
    if (scope || all) {
        err = store_short_links_list(rq->w->pg, scope, all, code, LIST_MAX, &l);
        if (err != CM_OK)
            return cm_fail(rq, err, "the short links could not be read");
    }
    cm_resp_json(out, rq, 200,
                 cm_jsonapi_doc(short_link_json_list(&l, rq->w->cfg->short_link_base)));
    store_short_link_list_free(&l);
    return CM_OK;
}

cm_err short_links_create(struct cm_req *rq, struct cm_resp *out)
{
    struct short_link_fields f;
    struct short_link_list l = {0, NULL, NULL};
    char expires[CM_TIME_LEN];
    json_t *doc = NULL;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = short_link_body_read(rq, NULL, &f, expires, &doc);
    if (err != CM_OK)
        return err;
    if (!cm_principal_org_admin(rq, f.organization_id)) {
        json_decref(doc);
        return cm_fail_at(rq, CM_EDENIED, "/data/attributes/organization-id", NULL,
                          "you do not administer this organization");
    }
    err = store_short_link_insert(rq->w->pg, &f, &l);
    json_decref(doc);
    if (err != CM_OK)
        return cm_fail(rq, err, "the short link could not be saved");
    cm_resp_json(out, rq, 201,
                 cm_jsonapi_doc(short_link_json(&l.items[0], rq->w->cfg->short_link_base)));
    store_short_link_list_free(&l);
    return CM_OK;
}

cm_err short_links_read(struct cm_req *rq, struct cm_resp *out)
{
    struct short_link_list l = {0, NULL, NULL};
    cm_err err = visible_link(rq, &l);

    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200,
                 cm_jsonapi_doc(short_link_json(&l.items[0], rq->w->cfg->short_link_base)));
    store_short_link_list_free(&l);
    return CM_OK;
}

cm_err short_links_update(struct cm_req *rq, struct cm_resp *out)
{
    struct short_link_fields f;
    struct short_link_list l = {0, NULL, NULL}, nl = {0, NULL, NULL};
    char expires[CM_TIME_LEN];
    json_t *doc = NULL;
    cm_err err = visible_link(rq, &l);

    if (err != CM_OK)
        return err;
    err = short_link_body_read(rq, l.items[0].id, &f, expires, &doc);
    if (err == CM_OK) {
        err = store_short_link_update(rq->w->pg, l.items[0].id, &f, &nl);
        if (err != CM_OK)
            err = cm_fail(rq, err, "the short link could not be saved");
    }
    json_decref(doc);
    store_short_link_list_free(&l);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200,
                 cm_jsonapi_doc(short_link_json(&nl.items[0], rq->w->cfg->short_link_base)));
    store_short_link_list_free(&nl);
    return CM_OK;
}

cm_err short_links_redirect(struct cm_req *rq, struct cm_resp *out)
{
    const char *code = cm_req_param(rq, "code");
    char url[16 + SHORT_MAX_NETLOC + SHORT_MAX_PATH];
    cm_err err;

    if (!code || !code_ok(code))
        return cm_fail(rq, CM_ENOTFOUND, "no such link");
    err = store_short_link_follow(rq->w->pg, code, url, sizeof url);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such link, or it has expired");
    if (err != CM_OK)
        return cm_fail(rq, err, "the link could not be read");
    cm_resp_redirect(out, rq, 302, url);
    return CM_OK;
}
