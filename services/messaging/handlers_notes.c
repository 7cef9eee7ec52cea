/* handlers_notes.c: general messages and feedback comments
 * (handlers_notes.h): input and access here, store (store_notes.h), render
 * (notes_json.h). */
#include "handlers_notes.h"

#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "notes_json.h"
#include "store_notes.h"
#include "templates_defaults.h"

#define ATTRS "/data/attributes"
#define MAX_MESSAGE 20000
#define MAX_COMMENT 5000

static const char *const gm_query[] = {"organization-id", "page[limit]", "page[offset]", NULL};
static const char *const gm_create_attrs[] = {"locale", "message", "name", "organization-id", NULL};
static const char *const gm_update_attrs[] = {"message", NULL};
static const char *const fb_query[] = {"page[limit]", "page[offset]", NULL};
static const char *const fb_attrs[] = {"comment", "current-page", "individual-id", NULL};

/* --- access --- */

/* True when the caller acts in organization org (its current one), or
 * administers it. */
static int reads_org(struct cm_req *rq, const char *org)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    return cm_principal_org_admin(rq, org) ||
           (p->organization_id && !strcmp(p->organization_id, org));
}

/* The caller's id as feedback records it: the user, or the API client. */
static const char *author_of(struct cm_req *rq)
{
    const Envelope__Principal *p = cm_principal_of(rq);

    if (p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT && p->client_id &&
        p->client_id[0])
        return p->client_id;
    return p->user_id ? p->user_id : "";
}

static int reads_feedback(struct cm_req *rq, const struct feedback_rec *f)
{
    return cm_principal_platform_admin(rq) || !strcmp(f->created_by, author_of(rq)) ||
           (f->organization_id[0] && cm_principal_org_admin(rq, f->organization_id));
}

/* --- general messages --- */

static cm_err visible_message(struct cm_req *rq, struct general_message_list *out)
{
    const char *id = cm_req_param(rq, "id");
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such general message");
    err = store_general_message_get(rq->w->pg, id, out);
    if (err == CM_OK && !reads_org(rq, out->items[0].organization_id)) {
        store_general_message_list_free(out);
        err = CM_ENOTFOUND;
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such general message");
    return err;
}

cm_err general_messages_list(struct cm_req *rq, struct cm_resp *out)
{
    char org[CM_UUID_LEN + 1];
    long limit, offset;
    struct general_message_list l = {0, NULL, NULL};
    cm_err err = cm_query_known(rq, gm_query);

    if (err == CM_OK)
        err = cm_query_uuid(rq, "organization-id", org);
    if (err == CM_OK && !org[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "organization-id", "is required");
    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &limit, &offset);
    if (err == CM_OK)
        err = cm_principal_require(rq);
    if (err != CM_OK)
        return err;
    if (reads_org(rq, org)) { /* others see an empty list */
        err = store_general_messages_list(rq->w->pg, org, limit, offset, &l);
        if (err != CM_OK)
            return cm_fail(rq, err, "the general messages could not be read");
    }
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(general_message_json_list(&l)));
    store_general_message_list_free(&l);
    return CM_OK;
}

cm_err general_messages_create(struct cm_req *rq, struct cm_resp *out)
{
    const char *org = NULL, *name = NULL, *locale = NULL, *message = NULL;
    struct general_message_list l = {0, NULL, NULL};
    json_t *doc = NULL, *a = NULL;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "organization-general-messages", NULL, gm_create_attrs, &doc, &a);
    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, a, ATTRS, "organization-id", 1, 0, CM_UUID_LEN, &org);
    if (err == CM_OK && !cm_uuid_valid(org))
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/organization-id", NULL, "must be a uuid");
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "name", 1, 0, 64, &name);
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "locale", 0, 0, 5, &locale);
    if (err == CM_OK && locale && !template_locale_known(locale))
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/locale", NULL, "locale must be en_US or es_US");
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "message", 1, 1, MAX_MESSAGE, &message);
    if (err == CM_OK && !cm_principal_org_admin(rq, org))
        err = cm_fail_at(rq, CM_EDENIED, ATTRS "/organization-id", NULL,
                         "you do not administer this organization");
    if (err == CM_OK) {
        err = store_general_message_insert(rq->w->pg, org, name, locale ? locale : "en_US", message,
                                           &l);
        if (err == CM_ECONFLICT)
            err = cm_fail(rq, err,
                          "the organization already has a message of this name and "
                          "locale");
        else if (err != CM_OK)
            err = cm_fail(rq, err, "the general message could not be saved");
    }
    json_decref(doc);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(general_message_json(&l.items[0])));
    store_general_message_list_free(&l);
    return CM_OK;
}

cm_err general_messages_read(struct cm_req *rq, struct cm_resp *out)
{
    struct general_message_list l = {0, NULL, NULL};
    cm_err err = visible_message(rq, &l);

    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(general_message_json(&l.items[0])));
    store_general_message_list_free(&l);
    return CM_OK;
}

cm_err general_messages_update(struct cm_req *rq, struct cm_resp *out)
{
    struct general_message_list l = {0, NULL, NULL}, nl = {0, NULL, NULL};
    const char *message = NULL;
    json_t *doc = NULL, *a = NULL;
    cm_err err = visible_message(rq, &l);

    if (err != CM_OK)
        return err;
    if (!cm_principal_org_admin(rq, l.items[0].organization_id))
        err = cm_fail(rq, CM_EDENIED, "only the organization's administrators change it");
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "organization-general-messages", l.items[0].id, gm_update_attrs,
                             &doc, &a);
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "message", 1, 1, MAX_MESSAGE, &message);
    if (err == CM_OK) {
        err = store_general_message_update(rq->w->pg, l.items[0].id, message, &nl);
        if (err != CM_OK)
            err = cm_fail(rq, err, "the general message could not be saved");
    }
    json_decref(doc);
    store_general_message_list_free(&l);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(general_message_json(&nl.items[0])));
    store_general_message_list_free(&nl);
    return CM_OK;
}

/* --- feedback comments --- */

cm_err feedback_list(struct cm_req *rq, struct cm_resp *out)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    struct feedback_filter f = {"", "", 0, 0};
    struct feedback_list l = {0, NULL, NULL};
    cm_err err = cm_query_known(rq, fb_query);

    if (err == CM_OK)
        err = cm_query_page(rq, 100, 1, 1000, &f.limit, &f.offset);
    if (err == CM_OK)
        err = cm_principal_require(rq);
    if (err != CM_OK)
        return err;
    if (cm_principal_platform_admin(rq))
        ; /* every comment */
    else if (p->organization_id && cm_uuid_valid(p->organization_id) &&
             cm_principal_org_admin(rq, p->organization_id))
        f.organization_id = p->organization_id;
    else
        f.created_by = author_of(rq);
    err = store_feedback_list(rq->w->pg, &f, &l);
    if (err != CM_OK)
        return cm_fail(rq, err, "the feedback could not be read");
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feedback_json_list(&l)));
    store_feedback_list_free(&l);
    return CM_OK;
}

cm_err feedback_create(struct cm_req *rq, struct cm_resp *out)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    struct feedback_rec f;
    struct feedback_list l = {0, NULL, NULL};
    const char *page = NULL, *individual = NULL;
    json_t *doc = NULL, *a = NULL;
    cm_err err = cm_principal_require(rq);

    memset(&f, 0, sizeof f);
    if (err == CM_OK)
        err = cm_req_jsonapi(rq, "feedback-comments", NULL, fb_attrs, &doc, &a);
    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, a, ATTRS, "comment", 1, 0, MAX_COMMENT, &f.comment);
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "current-page", 0, 1, 2048, &page);
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "individual-id", 0, 0, CM_UUID_LEN, &individual);
    if (err == CM_OK && individual && !cm_uuid_valid(individual))
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/individual-id", NULL, "must be a uuid");
    if (err == CM_OK) {
        f.created_by = author_of(rq);
        f.organization_id =
            p->organization_id && cm_uuid_valid(p->organization_id) ? p->organization_id : "";
        f.individual_id = individual ? individual : "";
        f.current_page = page ? page : "";
        err = store_feedback_insert(rq->w->pg, &f, &l);
        if (err != CM_OK)
            err = cm_fail(rq, err, "the feedback could not be saved");
    }
    json_decref(doc);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 201, cm_jsonapi_doc(feedback_json(&l.items[0])));
    store_feedback_list_free(&l);
    return CM_OK;
}

cm_err feedback_read(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    struct feedback_list l = {0, NULL, NULL};
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (!id || !cm_uuid_valid(id))
        return cm_fail(rq, CM_ENOTFOUND, "no such feedback comment");
    err = store_feedback_get(rq->w->pg, id, &l);
    if (err == CM_OK && !reads_feedback(rq, &l.items[0])) {
        store_feedback_list_free(&l);
        err = CM_ENOTFOUND;
    }
    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no such feedback comment");
    if (err != CM_OK)
        return cm_fail(rq, err, "the feedback could not be read");
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(feedback_json(&l.items[0])));
    store_feedback_list_free(&l);
    return CM_OK;
}
