/* templates_input.c: reading the template operations' input
 * (templates_input.h). */
#include "templates_input.h"

#include <stdio.h>
#include <string.h>

#include "templates_defaults.h"
#include "templates_render.h"

#define ATTRS "/data/attributes"

static const char *const email_attrs[] = {
    "format",   "locale", "organization-id", "subject", "support-email", "support-email-title",
    "template", "type",   "theme-id",        NULL};
static const char *const sms_attrs[] = {"locale", "organization-id", "template",
                                        "type",   "theme-id",        NULL};
static const char *const email_query[] = {
    "filter[format]", "filter[locale]", "filter[type]", "organization-id",
    "theme-id",       "page[limit]",    "page[offset]", NULL};
static const char *const sms_query[] = {"filter[locale]",
                                        "filter[type]",
                                        "organization-id",
                                        "theme-id",
                                        "page[limit]",
                                        "page[offset]",
                                        NULL};

static int is_email(const struct template_kind *k)
{
    return !strcmp(k->channel, "email");
}

cm_err template_query_read(struct cm_req *rq, const struct template_kind *k,
                           struct template_query *q)
{
    cm_err err = cm_query_known(rq, is_email(k) ? email_query : sms_query);

    memset(q, 0, sizeof *q);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[type]", 64, q->type, sizeof q->type);
    if (err == CM_OK && q->type[0] && !template_type_known(k->channel, q->type))
        err =
            cm_fail_at(rq, CM_EINVAL, NULL, "filter[type]", "unknown %s template type", k->channel);
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[locale]", 5, q->locale, sizeof q->locale);
    if (err == CM_OK && q->locale[0] && !template_locale_known(q->locale))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[locale]", "locale must be en_US or es_US");
    if (err == CM_OK && is_email(k))
        err = cm_query_text(rq, "filter[format]", 4, q->format, sizeof q->format);
    if (err == CM_OK && q->format[0] && strcmp(q->format, "html") && strcmp(q->format, "txt"))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[format]", "format must be html or txt");
    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", q->organization_id);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "theme-id", q->theme_id);
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &q->limit, &q->offset);
    return err;
}

/* Checks that the template text at pointer parses. */
static cm_err check_text(struct cm_req *rq, const char *text, const char *pointer)
{
    char why[200];

    if (text && template_check(text, why, sizeof why) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, pointer, NULL, "%s", why);
    return CM_OK;
}

cm_err template_body_read(struct cm_req *rq, const struct template_kind *k, const char *id,
                          struct template_fields *f, json_t **out_doc)
{
    int create = id == NULL;
    json_t *doc = NULL, *a = NULL;
    cm_err err;

    memset(f, 0, sizeof *f);
    err = cm_req_jsonapi(rq, k->type, id, is_email(k) ? email_attrs : sms_attrs, &doc, &a);
    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, a, ATTRS, "type", create, 0, 64, &f->type);
    if (err == CM_OK && f->type && !template_type_known(k->channel, f->type))
        err =
            cm_fail_at(rq, CM_EINVAL, ATTRS "/type", NULL, "unknown %s template type", k->channel);
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "locale", 0, 0, 5, &f->locale);
    if (err == CM_OK && f->locale && !template_locale_known(f->locale))
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/locale", NULL, "locale must be en_US or es_US");
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "template", create, 0, TEMPLATE_MAX_BODY_CHARS, &f->body);
    if (err == CM_OK)
        err = check_text(rq, f->body, ATTRS "/template");
    if (err == CM_OK)
        err = cm_json_owner_org(rq, a, ATTRS, create, "a template", &f->organization_id);
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "theme-id", 0, 1, CM_UUID_LEN, &f->theme_id);
    if (err == CM_OK && f->theme_id && f->theme_id[0] && !cm_uuid_valid(f->theme_id))
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/theme-id", NULL, "must be a uuid");
    if (err == CM_OK && is_email(k)) {
        err = cm_json_str(rq, a, ATTRS, "format", 0, 0, 4, &f->format);
        if (err == CM_OK && f->format && strcmp(f->format, "html") && strcmp(f->format, "txt"))
            err = cm_fail_at(rq, CM_EINVAL, ATTRS "/format", NULL, "format must be html or txt");
        if (err == CM_OK)
            err =
                cm_json_str(rq, a, ATTRS, "subject", 0, 1, TEMPLATE_MAX_SUBJECT_CHARS, &f->subject);
        if (err == CM_OK && f->subject && strpbrk(f->subject, "\r\n"))
            err = cm_fail_at(rq, CM_EINVAL, ATTRS "/subject", NULL, "must be one line");
        if (err == CM_OK)
            err = check_text(rq, f->subject, ATTRS "/subject");
        if (err == CM_OK)
            err = cm_json_str(rq, a, ATTRS, "support-email", 0, 1, 320, &f->support_email);
        if (err == CM_OK && f->support_email && f->support_email[0] &&
            !strchr(f->support_email, '@'))
            err =
                cm_fail_at(rq, CM_EINVAL, ATTRS "/support-email", NULL, "must be an email address");
        if (err == CM_OK)
            err = cm_json_str(rq, a, ATTRS, "support-email-title", 0, 1, 200,
                              &f->support_email_title);
    }
    if (err != CM_OK) {
        json_decref(doc);
        return err;
    }
    *out_doc = doc;
    return CM_OK;
}
