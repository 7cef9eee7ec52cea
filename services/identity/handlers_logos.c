/* handlers_logos.c: organization logos (themes.h): an upload target
 * (#108), the bytes put to it (not in the seed), processing them with
 * libvips (#106, on the slow-work pool: main.c) and reading the logo (not
 * in the seed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_principal.h"
#include "handlers.h"
#include "logo_image.h"
#include "org_json.h"
#include "store_logos.h"
#include "themes.h"

#define UPLOAD_TTL_S 900 /* an upload target is usable this long */

/* The caller's user id when a person, else "". */
static const char *caller(const struct cm_req *rq)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    return p->kind == ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER && cm_uuid_valid(p->user_id)
               ? p->user_id
               : "";
}

static int type_ok(const char *t)
{
    return !strcmp(t, "image/png") || !strcmp(t, "image/jpeg") || !strcmp(t, "image/webp");
}

cm_err logos_upload(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"content-type", "filename", NULL};
    const char *ctype = NULL, *filename = NULL;
    struct org_list orgs = {0};
    struct logo_upload up;
    char url[160];
    json_t *body = NULL;
    cm_err err = orgs_of_path(rq, 1, &orgs);

    if (err == CM_OK)
        err = cm_req_json_object(rq, allowed, &body);
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "content-type", 1, 0, 255, &ctype);
    if (err == CM_OK && !type_ok(ctype))
        err = cm_fail_at(rq, CM_EINVAL, "/content-type", NULL,
                         "content-type is image/png, image/jpeg or image/webp");
    if (err == CM_OK)
        err = cm_json_str(rq, body, "", "filename", 1, 0, 255, &filename);
    if (err == CM_OK) {
        err = store_logo_upload_new(rq->w->pg, orgs.items[0].id, ctype, filename, caller(rq),
                                    UPLOAD_TTL_S, &up);
        if (err == CM_ELIMIT)
            err = cm_fail_retry(rq, err, UPLOAD_TTL_S,
                                "too many logo uploads wait to be processed; retry later");
    }
    if (err == CM_OK) {
        snprintf(url, sizeof url, "/v1/organizations/%s/logo-uploads/%s/", orgs.items[0].id, up.id);
        cm_resp_json(out, rq, 201,
                     json_pack("{s:{s:s, s:s, s:{s:s, s:{s:s}, s:i}, s:I}}", "data", "id", up.id,
                               "upload-url", url, "upload-data", "method", "PUT", "headers",
                               "Content-Type", up.content_type, "max-bytes",
                               rq->w->cfg->max_body_bytes, "expiration-time",
                               (json_int_t)up.expires_at));
    }
    json_decref(body);
    store_org_list_free(&orgs);
    return err;
}

cm_err logos_put(struct cm_req *rq, struct cm_resp *out)
{
    const char *upload = cm_req_param(rq, "upload");
    const char *ctype = cm_req_header(rq, "content-type");
    struct org_list orgs = {0};
    struct logo_upload up;
    size_t n;
    cm_err err = orgs_of_path(rq, 1, &orgs);

    if (err == CM_OK) {
        err = upload && cm_uuid_valid(upload)
                  ? store_logo_upload_get(rq->w->pg, orgs.items[0].id, upload, &up)
                  : CM_ENOTFOUND;
        if (err == CM_ENOTFOUND)
            err = cm_fail(rq, err, "no such upload");
    }
    if (err == CM_OK && (up.expired || up.processed))
        err = cm_fail(rq, CM_ECONFLICT, "the upload has %s",
                      up.processed ? "been processed" : "expired; ask for a new one");
    n = ctype ? strcspn(ctype, "; ") : 0;
    if (err == CM_OK &&
        (!ctype || strlen(up.content_type) != n || strncmp(ctype, up.content_type, n) != 0))
        err = cm_fail(rq, CM_EINVAL, "the Content-Type must be the one declared (%s)",
                      up.content_type);
    if (err == CM_OK && rq->http->body.len == 0)
        err = cm_fail(rq, CM_EINVAL, "the body (the image) is empty");
    if (err == CM_OK)
        err = store_logo_upload_put(rq->w->pg, up.id, rq->http->body.data, rq->http->body.len);
    if (err == CM_OK)
        cm_resp_json(out, rq, 201, json_null());
    store_org_list_free(&orgs);
    return err;
}

cm_err logos_process(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const none[] = {NULL};
    struct org_list orgs = {0};
    struct logo_upload up;
    unsigned char *data = NULL;
    void *png = NULL;
    size_t len = 0, png_len = 0;
    int w = 0, h = 0;
    char why[160];
    json_t *body = NULL;
    cm_err err = orgs_of_path(rq, 1, &orgs);

    if (err == CM_OK && rq->http->body.len)
        err = cm_req_json_object(rq, none, &body);
    json_decref(body);
    if (err == CM_OK) {
        err = store_logo_upload_latest(rq->w->pg, orgs.items[0].id, &up, &data, &len);
        if (err == CM_ENOTFOUND)
            err = cm_fail(rq, CM_ECONFLICT, "no image was uploaded (upload-logo, then PUT)");
    }
    if (err == CM_OK) {
        err = logo_image_make(data, len, up.content_type, &png, &png_len, &w, &h, why, sizeof why);
        if (err != CM_OK)
            err = cm_fail(rq, err, "%s", why);
    }
    if (err == CM_OK)
        err = store_logo_save(rq->w->pg, orgs.items[0].id, up.id, png, png_len, w, h);
    store_org_list_free(&orgs);
    if (err == CM_OK)
        err = orgs_of_path(rq, 0, &orgs);
    if (err == CM_OK) {
        cm_info("organization logo made: %dx%d", w, h);
        cm_resp_json(out, rq, 201, cm_jsonapi_doc(org_json_resource(&orgs.items[0])));
    }
    logo_image_free(png);
    free(data);
    store_org_list_free(&orgs);
    return err;
}

cm_err logos_read(struct cm_req *rq, struct cm_resp *out)
{
    const char *id = cm_req_param(rq, "id");
    unsigned char *png = NULL;
    size_t len = 0;
    cm_err err = id && cm_uuid_valid(id) ? store_logo_get(rq->w->pg, id, &png, &len) : CM_ENOTFOUND;

    if (err == CM_ENOTFOUND)
        return cm_fail(rq, err, "no logo");
    if (err != CM_OK)
        return err;
    out->status = 200;
    out->body = (char *)png;
    out->len = len;
    out->content_type = "image/png";
    return CM_OK;
}
