/* handlers_themes.c: organization themes (#97-#100, themes.h). */
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "handlers.h"
#include "store_themes.h"
#include "theme_json.h"
#include "themes.h"

#define ATTR "/data/attributes"
#define CMP_PARAM "filter[cmp-last-modified-time]"

/* 1 when s looks like an email address: one '@' with text on both sides
 * and a dot after it. */
static int email_like(const char *s)
{
    const char *at = strchr(s, '@');

    return at && at != s && !strchr(at + 1, '@') && strchr(at + 1, '.') && at[1] != '.' &&
           s[strlen(s) - 1] != '.';
}

static cm_err on_cmp(struct cm_req *rq, const char *value, void *ctx)
{
    struct theme_query *q = ctx;
    char op[3], when[CM_TIME_LEN];
    char *slot;

    if (cm_cmp_time_parse(value, 0, op, when) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM,
                          "each comparison is < or > followed by an RFC 3339 date-time");
    slot = op[0] == '<' ? q->modified_before : q->modified_after;
    if (slot[0])
        return cm_fail_at(rq, CM_EINVAL, NULL, CMP_PARAM,
                          "at most 2 comparisons, one of each kind");
    snprintf(slot, sizeof q->modified_before, "%s", when);
    return CM_OK;
}

cm_err themes_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {CMP_PARAM,
                                        "filter[domain]",
                                        "filter[include-inactive]",
                                        "filter[support-email]",
                                        "page[limit]",
                                        "page[offset]",
                                        NULL};
    struct theme_query q;
    struct theme_list res = {0};
    cm_err err = cm_principal_require(rq);

    memset(&q, 0, sizeof q);
    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[domain]", 255, q.domain, sizeof q.domain);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[support-email]", 255, q.support_email,
                            sizeof q.support_email);
    if (err == CM_OK && q.support_email[0] && !email_like(q.support_email))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[support-email]", "an email is expected");
    if (err == CM_OK)
        err = cm_query_each(rq, CMP_PARAM, 40, on_cmp, &q);
    if (err == CM_OK)
        err = cm_query_bool(rq, "filter[include-inactive]", 0, &q.include_inactive);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q.limit, &q.offset);
    if (err == CM_OK)
        err = store_themes_list(rq->w->pg, &q, &res);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(theme_json_list(&res)));
    store_theme_list_free(&res);
    return CM_OK;
}

/* The attributes of a create or update into f. */
static cm_err fields_read(struct cm_req *rq, const json_t *attrs, struct theme_fields *f)
{
    cm_err err;

    memset(f, 0, sizeof *f);
    f->is_active = -1;
    err = cm_json_str(rq, attrs, ATTR, "domain", 0, 1, 255, &f->domain);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "support-email", 0, 1, 255, &f->support_email);
    if (err == CM_OK && f->support_email && f->support_email[0] && !email_like(f->support_email))
        err = cm_fail_at(rq, CM_EINVAL, ATTR "/support-email", NULL, "an email is expected");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTR, "support-email-name", 0, 1, 255, &f->support_email_name);
    if (err == CM_OK && json_object_get(attrs, "is-active") &&
        !json_is_null(json_object_get(attrs, "is-active")))
        err = cm_json_bool(rq, attrs, ATTR, "is-active", 1, 1, &f->is_active);
    return err;
}

/* 403 unless the platform admin. */
static cm_err require_platform(struct cm_req *rq)
{
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK && !cm_principal_platform_admin(rq))
        err = cm_fail(rq, CM_EDENIED, "only the platform admin manages themes");
    return err;
}

/* The caller's user id when a person, else "". */
static const char *caller(const struct cm_req *rq)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    return p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && cm_uuid_valid(p->user_id)
               ? p->user_id
               : "";
}

static const char *const theme_attrs[] = {"domain", "is-active", "support-email",
                                          "support-email-name", NULL};

cm_err themes_create(struct cm_req *rq, struct cm_resp *out)
{
    struct theme_fields f;
    struct theme_list res = {0};
    json_t *doc = NULL, *attrs;
    cm_err err = require_platform(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "organization-themes", NULL, theme_attrs, &doc, &attrs);
    if (err == CM_OK)
        err = fields_read(rq, attrs, &f);
    if (err == CM_OK)
        err = store_theme_create(rq->w->pg, &f, caller(rq), &res);
    json_decref(doc);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(theme_json_resource(&res.items[0])));
    store_theme_list_free(&res);
    return CM_OK;
}

cm_err themes_read(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    struct theme_list res = {0};
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = id && cm_uuid_valid(id) ? store_theme_get(rq->w->pg, id, &res) : CM_ENOTFOUND;
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such theme");
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(theme_json_resource(&res.items[0])));
    store_theme_list_free(&res);
    return CM_OK;
}

cm_err themes_update(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    struct theme_fields f;
    struct theme_list res = {0};
    json_t *doc = NULL, *attrs;
    cm_err err = require_platform(rq);

    if (err == CM_OK && !(id && cm_uuid_valid(id)))
        return cm_fail(rq, CM_ENOTFOUND, "no such theme");
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "organization-themes", id, theme_attrs, &doc, &attrs);
    if (err == CM_OK)
        err = fields_read(rq, attrs, &f);
    if (err == CM_OK)
        err = store_theme_update(rq->w->pg, id, &f, caller(rq), &res);
    json_decref(doc);
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such theme");
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(theme_json_resource(&res.items[0])));
    store_theme_list_free(&res);
    return CM_OK;
}
