/* handlers_checkins.c: user check-ins (#136, #137): the device and app a
 * person uses, recorded each time their app checks in. A check-in is the
 * caller's own (users only); it is read by the person, by an admin of the
 * organization the person checked in from, and by the platform admin. In
 * this suite a person's individual id is their user id. */
#include <stdio.h>
#include <string.h>

#include "cm_jsonapi.h"
#include "cm_principal.h"
#include "doc_json.h"
#include "handlers.h"
#include "input.h"
#include "privacy_notice.h"
#include "store_documents.h"
#include "validate.h"

#define ATTRS "/data/attributes"
#define CHECKIN_TEXT_MAX 128

static const char *const sources[] = {"android", "ios", "web", NULL};

/* The user the caller is, or 403 for API clients (a check-in is a
 * person's). */
static cm_err caller_user(struct cm_req *rq, const Envelope__Principal **out)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    cm_err err = cm_principal_require(rq);

    if (err != CM_OK)
        return err;
    if (p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER || !cm_uuid_valid(p->user_id))
        return cm_fail(rq, CM_EDENIED, "only a signed-in person checks in");
    *out = p;
    return CM_OK;
}

cm_err checkins_create(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"app-version", "model", "os-version", "source", NULL};
    const Envelope__Principal *p = NULL;
    struct checkin_rec c = {0};
    struct checkin_list l = {0};
    json_t *doc = NULL, *attrs;
    cm_err err = caller_user(rq, &p);

    if (err == CM_OK)
        err = cm_req_jsonapi(rq, CHECKIN_TYPE, NULL, allowed, &doc, &attrs);
    if (err == CM_OK)
        err = input_enum(rq, attrs, ATTRS, "source", sources, &c.source);
    if (err == CM_OK && !c.source)
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/source", NULL,
                         "source is required (android, ios or web)");
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTRS, "model", 0, 1, CHECKIN_TEXT_MAX, &c.model);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTRS, "os-version", 0, 1, CHECKIN_TEXT_MAX, &c.os_version);
    if (err == CM_OK)
        err = cm_json_str(rq, attrs, ATTRS, "app-version", 0, 1, CHECKIN_TEXT_MAX, &c.app_version);
    if (err == CM_OK) {
        c.user_id = p->user_id;
        c.organization_id = cm_uuid_valid(p->organization_id) ? p->organization_id : "";
        c.model = c.model ? c.model : "";
        c.os_version = c.os_version ? c.os_version : "";
        c.app_version = c.app_version ? c.app_version : "";
        err = store_checkin_insert(rq->w->pg, &c, &l);
        if (err == CM_OK && l.n != 1)
            err = CM_EINTERNAL;
        if (err != CM_OK)
            err = cm_fail(rq, err, "the check-in could not be saved");
    }
    if (err == CM_OK) {
        json_t *res = cm_jsonapi_doc(checkin_resource(&l.items[0]));
        /* privacy's "review your settings" notice, when due; fails soft */
        json_t *notice = privacy_notice_for(rq->w, p->user_id);
        if (notice)
            json_object_set_new(json_object_get(res, "meta"), "privacy-notice", notice);
        cm_resp_json(out, rq, 201, res);
    }
    store_checkin_list_free(&l);
    json_decref(doc);
    return err;
}

cm_err checkins_list(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const known[] = {"individual-id", "filter[source]", "page[limit]",
                                        "page[offset]",  "summary",        NULL};
    char individual[CM_UUID_LEN + 1], source[16 * 4 + 1];
    struct checkin_list l = {0};
    long limit = 500, offset = 0;
    int summary = 0, visible;
    json_t *data;
    cm_err err = cm_principal_require(rq);

    if (err == CM_OK)
        err = cm_query_known(rq, known);
    if (err == CM_OK)
        err = cm_query_uuid(rq, "individual-id", individual);
    if (err == CM_OK && !individual[0])
        err = cm_fail_at(rq, CM_EINVAL, NULL, "individual-id", "individual-id is required");
    if (err == CM_OK)
        err = cm_query_text(rq, "filter[source]", 16, source, sizeof source);
    if (err == CM_OK && source[0] && !validate_enum(source, sources))
        err = cm_fail_at(rq, CM_EINVAL, NULL, "filter[source]",
                         "filter[source] must be android, ios or web");
    if (err == CM_OK)
        err = cm_query_page(rq, 500, 1, 1000, &limit, &offset);
    if (err == CM_OK)
        err = cm_query_bool(rq, "summary", 0, &summary);
    if (err != CM_OK)
        return err;
    /* summary: the newest check-in only */
    err = store_checkins_list(rq->w->pg, individual, source, summary ? 1 : limit,
                              summary ? 0 : offset, &l);
    if (err != CM_OK)
        return cm_fail(rq, err, "the check-ins could not be read");
    /* access: self, platform admin, or an admin of the organization of the
     * newest check-in; anyone else sees nothing, as if there were none */
    visible = cm_principal_is_self(rq, individual) || cm_principal_platform_admin(rq) ||
              (l.n > 0 && l.items[0].organization_id[0] &&
               cm_principal_org_admin(rq, l.items[0].organization_id));
    data = json_array();
    for (size_t i = 0; visible && i < l.n; i++)
        json_array_append_new(data, checkin_resource(&l.items[i]));
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
    store_checkin_list_free(&l);
    return CM_OK;
}
