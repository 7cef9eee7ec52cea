/* test_attachments.c: attachments through the edge (POST attachment, GET
 * attachment/{id}, GET attachment/{id}/content): a 20 MB upload and download
 * intact (SHA-256 compared) while NATS keeps its 1 MiB max_payload and the
 * edge's peak memory grows by far less than the body; the content's mime
 * type sniffed; refusals of bad multipart bodies, of oversize uploads at the
 * edge, and of other organizations. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge_raw.h"
#include "harness.h"
#include "it_attach.h"

TestSuite(attachments, .timeout = 180);

#define SAVE "/api/2014-08-01/attachment"
#define BIG (20 * 1024 * 1024 + 12345) /* over 20 MB, not a multiple of a chunk */

/* Uploads data as field "attachment" named filename; asserts 200 and
 * returns the "attachment" object (caller json_decref the returned doc). */
static json_t *upload(const struct ia_client *c, const char *filename, const void *data, size_t n,
                      json_t **doc)
{
    size_t len;
    char *body = ia_multipart("attachment", filename, data, n, &len);
    struct it_resp r;
    json_t *a;

    ia_call(&r, c, "POST", SAVE, "multipart/form-data; boundary=" IA_BOUNDARY, body, len);
    free(body);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    *doc = it_json(&r);
    it_resp_release(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(*doc, "status")), "ok"));
    a = json_object_get(*doc, "attachment");
    cr_assert(it_true(json_is_object(a)));
    return a;
}

static const char *str_of(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "(absent)";
}

Test(attachments, twenty_mb_upload_and_download_are_intact)
{
    struct ia_client c;
    unsigned char *data = malloc(BIG);
    char want[65], got[65], path[160];
    json_t *doc, *a, *doc2;
    struct it_resp r;
    long before, after;

    IT_REQUIRE_STACK();
    cr_assert(data != NULL);
    for (size_t i = 0; i < BIG; i++) /* not compressible, and a JPEG to the sniffer */
        data[i] = (unsigned char)((i * 2654435761u) >> 13);
    memcpy(data, "\xff\xd8\xff\xe0", 4);
    ia_sha256(data, BIG, want);
    ia_client_new(&c);
    before = ia_peak_rss_kib("edge");

    a = upload(&c, "scan.jpg", data, BIG, &doc);
    cr_assert(eq(str, (char *)str_of(a, "name"), "scan.jpg"));
    cr_assert(eq(str, (char *)str_of(a, "mime_type"), "image/jpeg"));
    cr_assert(eq(i64, json_integer_value(json_object_get(a, "size")), BIG));
    cr_assert(eq(sz, strlen(str_of(a, "id")), 24));
    cr_assert(eq(str, (char *)str_of(a, "user_id"), c.user));
    cr_assert(eq(sz, strlen(str_of(a, "time_created")), 26), "%s", str_of(a, "time_created"));

    /* the record, as the seed shows it */
    snprintf(path, sizeof path, SAVE "/%s", str_of(a, "id"));
    ia_call(&r, &c, "GET", path, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    doc2 = it_json(&r);
    cr_assert(it_true(json_equal(doc2, doc)), "%.300s", r.body);
    json_decref(doc2);
    it_resp_release(&r);

    /* the content, streamed back whole */
    snprintf(path, sizeof path, SAVE "/%s/content", str_of(a, "id"));
    ia_call(&r, &c, "GET", path, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(str, (char *)it_header_str(&r, "content-type"), "image/jpeg"));
    cr_assert(eq(sz, r.len, (size_t)BIG));
    ia_sha256(r.body, r.len, got);
    cr_assert(eq(str, got, want));
    it_resp_release(&r);

    /* the edge never held the body whole: 20 MB in and 20 MB out moved its
     * peak resident memory by far less than one copy */
    after = ia_peak_rss_kib("edge");
#ifdef __SANITIZE_ADDRESS__
    /* under AddressSanitizer (`make asan`) freed chunks stay in its
     * quarantine, so resident memory says nothing about what was held */
    printf("attachments: edge peak RSS grew %ld KiB (not bounded under ASan)\n", after - before);
#else
    cr_assert(lt(long, after - before, 8 * 1024), "edge peak RSS grew %ld KiB", after - before);
#endif
    json_decref(doc);
    free(data);
}

Test(attachments, small_text_is_sniffed_and_empty_file_allowed)
{
    struct ia_client c;
    json_t *doc, *a;
    char path[160];
    struct it_resp r;

    IT_REQUIRE_STACK();
    ia_client_new(&c);
    a = upload(&c, "note.jpg", "plain words, not a picture\n", 27, &doc);
    cr_assert(eq(str, (char *)str_of(a, "mime_type"), "text/plain")); /* the content decides */
    cr_assert(eq(i64, json_integer_value(json_object_get(a, "size")), 27));
    snprintf(path, sizeof path, SAVE "/%s/content", str_of(a, "id"));
    ia_call(&r, &c, "GET", path, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(str, r.body, "plain words, not a picture\n"));
    it_resp_release(&r);
    json_decref(doc);

    a = upload(&c, "empty.bin", "", 0, &doc);
    cr_assert(eq(i64, json_integer_value(json_object_get(a, "size")), 0));
    cr_assert(eq(str, (char *)str_of(a, "mime_type"), "application/octet-stream"));
    snprintf(path, sizeof path, SAVE "/%s/content", str_of(a, "id"));
    ia_call(&r, &c, "GET", path, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(sz, r.len, 0));
    it_resp_release(&r);
    json_decref(doc);
}

/* Asserts r is a 4xx in the clinical API's style with message. */
static void assert_refused(struct it_resp *r, long status, const char *message)
{
    json_t *doc;

    it_assert_error_style(r, "cureatr", status);
    doc = it_json(r);
    cr_assert(eq(str, (char *)str_of(doc, "message"), (char *)message), "%.300s", r->body);
    json_decref(doc);
}

Test(attachments, bad_multipart_bodies_get_400)
{
    static const char *const bodies[][2] = {
        /* no attachment field */
        {"--" IA_BOUNDARY
         "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--" IA_BOUNDARY "--\r\n",
         "missing the \"attachment\" file field"},
        /* cut before the closing delimiter */
        {"--" IA_BOUNDARY "\r\nContent-Disposition: form-data; name=\"attachment\"; "
         "filename=\"a\"\r\n\r\nabc",
         "multipart body ends before its closing delimiter"},
        /* two attachments */
        {"--" IA_BOUNDARY "\r\nContent-Disposition: form-data; name=\"attachment\"; "
                          "filename=\"a\"\r\n\r\n1\r\n--" IA_BOUNDARY
         "\r\nContent-Disposition: form-data; name=\"attachment\"; "
         "filename=\"b\"\r\n\r\n2\r\n--" IA_BOUNDARY "--\r\n",
         "only one attachment per request"},
        /* a part without a name */
        {"--" IA_BOUNDARY "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" IA_BOUNDARY "--\r\n",
         "part without a form-data name"},
        /* not multipart at all */
        {"hello", "multipart body has no parts"},
    };
    struct ia_client c;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ia_client_new(&c);
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        ia_call(&r, &c, "POST", SAVE, "multipart/form-data; boundary=" IA_BOUNDARY, bodies[i][0],
                strlen(bodies[i][0]));
        assert_refused(&r, 400, bodies[i][1]);
        it_resp_release(&r);
    }
    ia_call(&r, &c, "POST", SAVE, "application/json", "{}", 2);
    assert_refused(&r, 400, "Content-Type must be multipart/form-data with a boundary");
    it_resp_release(&r);
    ia_call(&r, &c, "POST", SAVE, "multipart/form-data", "x", 1);
    assert_refused(&r, 400, "Content-Type must be multipart/form-data with a boundary");
    it_resp_release(&r);
    /* a large body refused before it is read: the answer still reaches the
     * client (the rest is discarded, then the connection closes) */
    {
        size_t big = 3 * 1024 * 1024;
        char *junk = calloc(1, big);
        size_t len;
        char *form = ia_multipart("other", "x.bin", junk, big, &len);
        cr_assert(junk != NULL);
        ia_call(&r, &c, "POST", SAVE, "text/plain", junk, big);
        assert_refused(&r, 400, "Content-Type must be multipart/form-data with a boundary");
        it_resp_release(&r);
        /* and one read to its end that has no attachment field */
        ia_call(&r, &c, "POST", SAVE, "multipart/form-data; boundary=" IA_BOUNDARY, form, len);
        assert_refused(&r, 400, "missing the \"attachment\" file field");
        it_resp_release(&r);
        free(form);
        free(junk);
    }
    /* an empty body */
    ia_call(&r, &c, "POST", SAVE, "multipart/form-data; boundary=" IA_BOUNDARY, "", 0);
    assert_refused(&r, 400, "multipart body has no parts");
    it_resp_release(&r);
    /* the connection stays usable after an answer given before the body's end */
    ia_call(&r, &c, "GET", "/api/2015-02-01/util/test/1", NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200));
    it_resp_release(&r);
}

Test(attachments, oversize_upload_is_refused_at_the_edge)
{
    char req[1024], out[4096];
    int closed = 0, n;

    IT_REQUIRE_STACK();
    /* a head announcing more than MAX_UPLOAD_BYTES (64 MiB): 413 before any body */
    n = snprintf(req, sizeof req,
                 "POST " SAVE " HTTP/1.1\r\nHost: edge\r\n%s"
                 "Content-Type: multipart/form-data; boundary=x\r\n"
                 "Content-Length: 70000000\r\n\r\n",
                 raw_basic_auth_line());
    raw_exchange(req, (size_t)n, out, sizeof out, 5000, &closed);
    cr_assert(eq(int, raw_status(out), 413), "%.300s", out);
    cr_assert(not(eq(ptr, strstr(raw_body(out), "\"status\": \"error\""), NULL)), "%s", out);
    /* an ordinary operation keeps MAX_BODY_BYTES (1 MB) */
    n = snprintf(req, sizeof req,
                 "POST /api/2015-02-01/util/test/1 HTTP/1.1\r\nHost: edge\r\n%s"
                 "Content-Length: 2000000\r\n\r\n",
                 raw_basic_auth_line());
    raw_exchange(req, (size_t)n, out, sizeof out, 5000, &closed);
    cr_assert(eq(int, raw_status(out), 413), "%.300s", out);
}

Test(attachments, other_organizations_see_nothing)
{
    struct ia_client a, b;
    json_t *doc, *att;
    char path[160];
    struct it_resp r;

    IT_REQUIRE_STACK();
    ia_client_new(&a);
    ia_client_new(&b);
    att = upload(&a, "private.txt", "secret", 6, &doc);
    snprintf(path, sizeof path, SAVE "/%s", str_of(att, "id"));
    ia_call(&r, &b, "GET", path, NULL, NULL, 0);
    assert_refused(&r, 404, "invalid id");
    it_resp_release(&r);
    snprintf(path, sizeof path, SAVE "/%s/content", str_of(att, "id"));
    ia_call(&r, &b, "GET", path, NULL, NULL, 0);
    assert_refused(&r, 404, "invalid id");
    it_resp_release(&r);
    /* an API client of no organization may not use attachments */
    ia_call(&r, NULL, "GET", path, NULL, NULL, 0);
    assert_refused(&r, 403, "not authorized");
    it_resp_release(&r);
    /* unknown and malformed ids */
    ia_call(&r, &a, "GET", SAVE "/0123456789abcdef01234567", NULL, NULL, 0);
    assert_refused(&r, 404, "invalid id");
    it_resp_release(&r);
    ia_call(&r, &a, "GET", SAVE "/not-an-id", NULL, NULL, 0);
    assert_refused(&r, 400, "invalid id");
    it_resp_release(&r);
    json_decref(doc);
}

/* Clients that leave in the middle of an upload or a download do not keep
 * messaging's workers waiting (the edge tells the service to stop): more
 * abandoned transfers than messaging has workers, and messaging still
 * answers at once; an abandoned upload leaves nothing stored. */
Test(attachments, clients_leaving_mid_transfer_free_the_workers)
{
    enum { ABANDONED = 6, BODY = 8 * 1024 * 1024, PART = 1024 * 1024 };
    unsigned char *data = malloc(BODY);
    struct ia_client c;
    json_t *doc, *a;
    char path[160];
    struct it_resp r;
    PGconn *pg;
    char *count;
    const char *params[1];

    IT_REQUIRE_STACK();
    cr_assert(data != NULL);
    memset(data, 'x', BODY);
    ia_client_new(&c);
    a = upload(&c, "big.txt", data, BODY, &doc);
    snprintf(path, sizeof path, SAVE "/%s/content", str_of(a, "id"));
    for (int i = 0; i < ABANDONED; i++) {
        /* a download dropped after 64 KiB, an upload cut after 1 MiB of 8 */
        ia_leave_mid_transfer(&c, path, data, BODY, PART);
    }
    /* every worker is free again well within the stack's 2 s request timeout */
    for (int i = 0; i < 4; i++) {
        ia_call(&r, &c, "GET", "/api/2015-02-01/util/test/1", NULL, NULL, 0);
        cr_assert(eq(long, r.status, 200), "%.300s", r.body);
        it_resp_release(&r);
    }
    /* the cut uploads stored nothing: only the first attachment exists */
    pg = it_pg();
    params[0] = c.org;
    count = it_pg_value(pg, "SELECT count(*) FROM messaging.attachments WHERE organization_id = $1",
                        1, params);
    cr_assert(eq(str, count, "1"));
    free(count);
    PQfinish(pg);
    json_decref(doc);
    free(data);
}
