/* test_zz_edge_left_requests.c: requests whose client left while the edge
 * still held them (a download dropped mid-stream, an upload cut in its body)
 * are freed by the edge: after such transfers the edge is stopped (SIGTERM)
 * and what it wrote to its log while stopping is checked for a sanitizer
 * report. The check bites in the ASan build (`make asan`), where
 * LeakSanitizer reported evhttp's requests, URIs and buffers of exactly
 * these transfers at the edge's exit; in a plain build it only proves the
 * edge stops cleanly after them. The .fini starts the edge again and leaves
 * the stack whole (it_stack_restore). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "it_attach.h"

TestSuite(zz_edge_left_requests, .timeout = 120);

#define SAVE "/api/2014-08-01/attachment"

/* The edge's log from byte off to its end (caller frees). */
static char *log_from(const char *path, long off)
{
    FILE *f = fopen(path, "r");
    char *text;
    long end;
    size_t got;

    cr_assert(f != NULL, "no edge log at %s", path);
    fseek(f, 0, SEEK_END);
    end = ftell(f);
    if (end < off)
        off = 0;
    fseek(f, off, SEEK_SET);
    text = malloc((size_t)(end - off) + 1);
    cr_assert(text != NULL);
    got = fread(text, 1, (size_t)(end - off), f);
    text[got] = '\0';
    fclose(f);
    return text;
}

static void restore_edge(void)
{
    it_stack(NULL, 0, "start", "edge", NULL);
    it_stack_restore(30000);
}

Test(zz_edge_left_requests, requests_of_clients_gone_are_freed_by_shutdown, .fini = restore_edge)
{
    enum { LEFT = 3, BODY = 4 * 1024 * 1024, PART = 512 * 1024 };
    unsigned char *data = malloc(BODY);
    struct ia_client c;
    char path[160], logpath[512], *mp, *text, *id;
    struct it_resp r;
    struct stat sb;
    json_t *doc;
    size_t len;

    IT_REQUIRE_STACK();
    cr_assert(data != NULL);
    memset(data, 'x', BODY);
    ia_client_new(&c);
    mp = ia_multipart("attachment", "left.txt", data, BODY, &len);
    ia_call(&r, &c, "POST", SAVE, "multipart/form-data; boundary=" IA_BOUNDARY, mp, len);
    free(mp);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    doc = it_json(&r);
    it_resp_release(&r);
    id = strdup(json_string_value(json_object_get(json_object_get(doc, "attachment"), "id")));
    json_decref(doc);
    snprintf(path, sizeof path, SAVE "/%s/content", id);
    free(id);
    for (int i = 0; i < LEFT; i++) {
        /* a download dropped after 64 KiB, an upload cut after 512 KiB of 4 MiB */
        ia_leave_mid_transfer(&c, path, data, BODY, PART);
    }
    free(data);
    /* the edge has seen the clients go (the service's workers are free) */
    for (int i = 0; i < 3; i++) {
        ia_call(&r, &c, "GET", "/api/2015-02-01/util/test/1", NULL, NULL, 0);
        cr_assert(eq(long, r.status, 200), "%.300s", r.body);
        it_resp_release(&r);
    }

    snprintf(logpath, sizeof logpath, "%s/log/edge.log", it_env("TEST_VAR_DIR"));
    cr_assert(eq(int, stat(logpath, &sb), 0), "no edge log at %s", logpath);
    cr_assert(eq(int, it_stack(NULL, 0, "stop", "edge", NULL), 0), "stack.sh stop edge failed");
    text = log_from(logpath, (long)sb.st_size);
    cr_assert(not(eq(ptr, strstr(text, "\"stopped\""), NULL)), "the edge did not stop: %.2000s",
              text);
    cr_assert(eq(ptr, strstr(text, "Sanitizer"), NULL), "the edge's exit: %.3000s", text);
    free(text);
    cr_assert(eq(int, it_stack(NULL, 0, "start", "edge", NULL), 0));
    cr_assert(it_wait_util_test_ok(15000), "util/test does not work after the edge's restart");
}
