/* test_logos.c: suite "logos": organization logos through the edge:
 * upload-logo (#108) gives an upload target, the image is PUT there,
 * process-logo-upload (#106) checks and resizes it with libvips and sets
 * logo-ready-to-use; malformed, mislabelled, truncated and oversize images
 * are refused with 4xx. Test images are made with libvips here. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(logos, .timeout = 90);

/* A w x h image saved as kind ("png", "jpeg", "webp"): *out (g_free). */
static void image(const char *kind, int w, int h, void **out, size_t *len)
{
    VipsImage *img = NULL, *grey = NULL;
    int rc;

    cr_assert(eq(int, VIPS_INIT("test"), 0));
    cr_assert(eq(int, vips_black(&img, w, h, "bands", 3, NULL), 0));
    cr_assert(eq(int, vips_linear1(img, &grey, 1.0, 120.0, NULL), 0));
    if (!strcmp(kind, "png"))
        rc = vips_pngsave_buffer(grey, out, len, "compression", 9, NULL);
    else if (!strcmp(kind, "jpeg"))
        rc = vips_jpegsave_buffer(grey, out, len, NULL);
    else
        rc = vips_webpsave_buffer(grey, out, len, NULL);
    cr_assert(eq(int, rc, 0), "%s", vips_error_buffer());
    g_object_unref(grey);
    g_object_unref(img);
}

/* POST upload-logo for org as token declaring ctype; the upload URL into
 * url (256 bytes) on 201; the status. */
static long upload_target(const char *token, const char *org, const char *ctype, char *url)
{
    char body[256];
    struct it_resp r;
    long st;

    snprintf(body, sizeof body, "{\"content-type\": \"%s\", \"filename\": \"logo\"}", ctype);
    ut_call(&r, "POST", token, body, "/v1/organizations/%s/upload-logo/", org);
    st = r.status;
    if (st == 201) {
        json_t *doc = it_json(&r), *d = json_object_get(doc, "data");
        snprintf(url, 256, "%s", json_string_value(json_object_get(d, "upload-url")));
        cr_assert(
            eq(str,
               (char *)json_string_value(json_object_get(
                   json_object_get(json_object_get(d, "upload-data"), "headers"), "Content-Type")),
               (char *)ctype));
        cr_assert(it_true(json_integer_value(json_object_get(d, "expiration-time")) > 0));
        json_decref(doc);
    }
    it_resp_release(&r);
    return st;
}

/* PUT data (len bytes) to url as token with Content-Type ctype; status. */
static long put(const char *token, const char *url, const char *ctype, const void *data, size_t len)
{
    char auth[4200], type[96];
    const char *headers[3] = {auth, type, NULL};
    struct it_req rq = {0};
    struct it_resp r;
    long st;

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(type, sizeof type, "Content-Type: %s", ctype);
    rq.method = "PUT";
    rq.path = url;
    rq.headers = headers;
    rq.body = data;
    rq.body_len = len;
    cr_assert(eq(int, it_http(&rq, &r), 0));
    st = r.status;
    if (st != 201)
        cr_log_info("put: %ld %.300s", st, r.body);
    it_resp_release(&r);
    return st;
}

/* POST process-logo-upload; the response in r. */
static void process(struct it_resp *r, const char *token, const char *org)
{
    ut_call(r, "POST", token, "{}", "/v1/organizations/%s/process-logo-upload/", org);
}

Test(logos, png_upload_is_resized_and_served)
{
    char org[UT_ID_LEN], url[256], path[128];
    struct ut_user a;
    struct it_resp r;
    struct it_req rq = {0};
    void *img;
    size_t len;
    VipsImage *got;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &a);
    ut_call(&r, "GET", a.token, NULL, "/v1/organizations/%s/", org);
    cr_assert(it_true(strstr(r.body, "\"logo-ready-to-use\":false") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    image("png", 1200, 800, &img, &len);
    cr_assert(eq(long, upload_target(a.token, org, "image/png", url), 201));
    cr_assert(eq(long, put(a.token, url, "image/png", img, len), 201));
    g_free(img);
    process(&r, a.token, org);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, "\"logo-ready-to-use\":true") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    /* anyone reads it: a PNG that fits 512 x 512, proportions kept */
    snprintf(path, sizeof path, "/v1/organizations/%s/logo/", org);
    rq.path = path;
    cr_assert(eq(int, it_http(&rq, &r), 0));
    cr_assert(eq(long, r.status, 200), "%.200s", r.body);
    cr_assert(eq(str, (char *)it_header_str(&r, "Content-Type"), "image/png"));
    got = vips_image_new_from_buffer(r.body, r.len, "", NULL);
    cr_assert(got != NULL);
    cr_assert(eq(int, vips_image_get_width(got), 512));
    cr_assert(eq(int, vips_image_get_height(got), 341));
    g_object_unref(got);
    it_resp_release(&r);
    /* the upload was used: putting to it again is refused */
    image("png", 10, 10, &img, &len);
    cr_assert(eq(long, put(a.token, url, "image/png", img, len), 409));
    g_free(img);
}

Test(logos, jpeg_and_webp_are_taken)
{
    static const struct {
        const char *kind, *type;
        int w, h;
    } kinds[] = {{"jpeg", "image/jpeg", 300, 300}, {"webp", "image/webp", 400, 200}};
    char org[UT_ID_LEN], url[256], path[128];
    struct ut_user a;
    struct it_resp r;
    void *img;
    size_t len;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &a);
    snprintf(path, sizeof path, "/v1/organizations/%s/logo/", org);
    for (size_t i = 0; i < 2; i++) {
        struct it_req rq = {.path = path};
        VipsImage *got;

        image(kinds[i].kind, kinds[i].w, kinds[i].h, &img, &len);
        cr_assert(eq(long, upload_target(a.token, org, kinds[i].type, url), 201));
        cr_assert(eq(long, put(a.token, url, kinds[i].type, img, len), 201));
        g_free(img);
        process(&r, a.token, org);
        cr_assert(eq(long, r.status, 201), "%s: %.300s", kinds[i].kind, r.body);
        cr_assert(strstr(r.body, "\"logo-ready-to-use\":true") != NULL, "%.300s", r.body);
        it_resp_release(&r);
        /* it is the logo now: served as a PNG of its size (it fits 512 x 512) */
        cr_assert(eq(int, it_http(&rq, &r), 0));
        cr_assert(eq(long, r.status, 200), "%.200s", r.body);
        cr_assert(eq(str, (char *)it_header_str(&r, "Content-Type"), "image/png"));
        got = vips_image_new_from_buffer(r.body, r.len, "", NULL);
        cr_assert(got != NULL, "%s: not an image", kinds[i].kind);
        cr_assert(eq(int, vips_image_get_width(got), kinds[i].w), "%s", kinds[i].kind);
        cr_assert(eq(int, vips_image_get_height(got), kinds[i].h), "%s", kinds[i].kind);
        g_object_unref(got);
        it_resp_release(&r);
    }
}

Test(logos, bad_images_and_callers_are_refused)
{
    char org[UT_ID_LEN], other[UT_ID_LEN], url[256];
    struct ut_user a, u, b;
    struct it_resp r;
    void *img;
    size_t len;
    char *big;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_org(other);
    ut_account(org, "admin", &a);
    ut_account(org, NULL, &u);
    ut_account(other, "admin", &b);
    cr_assert(eq(long, upload_target(u.token, org, "image/png", url), 403));
    cr_assert(eq(long, upload_target(b.token, org, "image/png", url), 404));
    cr_assert(eq(long, upload_target(a.token, org, "image/gif", url), 400));
    process(&r, a.token, org);
    ut_assert_error(&r, 409, NULL);
    it_resp_release(&r);
    /* not an image */
    cr_assert(eq(long, upload_target(a.token, org, "image/png", url), 201));
    cr_assert(eq(long, put(a.token, url, "image/jpeg", "x", 1), 400), "wrong Content-Type");
    cr_assert(eq(long, put(a.token, url, "image/png", "not an image at all", 19), 201));
    process(&r, a.token, org);
    ut_assert_error(&r, 400, NULL);
    it_resp_release(&r);
    /* a PNG declared as JPEG */
    image("png", 64, 64, &img, &len);
    cr_assert(eq(long, upload_target(a.token, org, "image/jpeg", url), 201));
    cr_assert(eq(long, put(a.token, url, "image/jpeg", img, len), 201));
    process(&r, a.token, org);
    ut_assert_error(&r, 400, NULL);
    cr_assert(it_true(strstr(r.body, "declared") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    g_free(img);
    /* truncated */
    image("jpeg", 800, 800, &img, &len);
    cr_assert(eq(long, upload_target(a.token, org, "image/jpeg", url), 201));
    cr_assert(eq(long, put(a.token, url, "image/jpeg", img, len / 2), 201));
    process(&r, a.token, org);
    ut_assert_error(&r, 400, NULL);
    it_resp_release(&r);
    g_free(img);
    /* too many pixels (a small file: a decompression bomb) */
    image("png", 6000, 5000, &img, &len);
    cr_assert(eq(long, upload_target(a.token, org, "image/png", url), 201));
    cr_assert(eq(long, put(a.token, url, "image/png", img, len), 201), "%zu bytes", len);
    process(&r, a.token, org);
    ut_assert_error(&r, 413, NULL);
    it_resp_release(&r);
    g_free(img);
    /* a body over the edge's limit */
    cr_assert(eq(long, upload_target(a.token, org, "image/png", url), 201));
    big = calloc(1, 1100000);
    cr_assert(eq(long, put(a.token, url, "image/png", big, 1100000), 413));
    free(big);
    /* still no logo */
    ut_call(&r, "GET", a.token, NULL, "/v1/organizations/%s/logo/", org);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
}

Test(logos, pending_uploads_are_bounded)
{
    char org[UT_ID_LEN], url[256];
    struct ut_user a;
    struct it_resp r;
    int i;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &a);
    for (i = 0; i < 50; i++)
        cr_assert(eq(long, upload_target(a.token, org, "image/png", url), 201), "upload %d", i);
    ut_call(&r, "POST", a.token, "{\"content-type\": \"image/png\", \"filename\": \"x\"}",
            "/v1/organizations/%s/upload-logo/", org);
    ut_assert_error(&r, 429, NULL);
    cr_assert(it_true(it_header(&r, "Retry-After") != NULL));
    it_resp_release(&r);
}
