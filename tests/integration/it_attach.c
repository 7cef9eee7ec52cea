/* it_attach.c: fixtures of the attachment and export suites (it_attach.h). */
#include "it_attach.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge_raw.h"
#include "test_users_fixtures.h"

/* An API client of c->org with roles, made with token. */
static void client_make(struct ia_client *c, const char *token, const char *roles)
{
    struct it_resp r;
    char body[512], name[64], cred[200], b64[300];
    json_t *doc, *a;

    it_unique(name, sizeof name, "attach-client-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\",\"roles\":%s}},\"meta\":{}}",
             name, c->org, roles);
    it_call_token(&r, "POST", "/v1/api-clients/", token, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    snprintf(c->user, sizeof c->user, "%s", json_string_value(json_object_get(a, "api-user-id")));
    snprintf(c->key, sizeof c->key, "%s", json_string_value(json_object_get(a, "api-key")));
    json_decref(doc);
    it_resp_release(&r);
    snprintf(cred, sizeof cred, "%s:%s", c->user, c->key);
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)cred, strlen(cred),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(c->auth, sizeof c->auth, "Authorization: Basic %s", b64);
}

void ia_client_new(struct ia_client *c)
{
    struct ut_user admin;

    memset(c, 0, sizeof *c);
    ut_org(c->org);
    ut_account(c->org, "admin", &admin);
    client_make(c, admin.token, "[\"admin\"]");
}

void ia_client_bare(struct ia_client *c, const char *roles)
{
    char token[4097];

    memset(c, 0, sizeof *c);
    ut_org(c->org);
    it_admin_token(token);
    client_make(c, token, roles);
}

void ia_call(struct it_resp *r, const struct ia_client *c, const char *method, const char *path,
             const char *ctype, const void *body, size_t len)
{
    char ct[200];
    const char *hs[3] = {NULL, NULL, NULL};
    struct it_req rq = {0};
    int n = 0;

    if (c)
        hs[n++] = c->auth;
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        hs[n++] = ct;
    }
    rq.method = method;
    rq.path = path;
    rq.auth = c ? IT_AUTH_NONE : IT_AUTH_BOOTSTRAP;
    rq.headers = hs;
    rq.body = body;
    rq.body_len = len;
    rq.timeout_ms = 60000;
    cr_assert(eq(int, it_http(&rq, r), 0), "%s %s: %s", method, path, r->error);
}

char *ia_multipart(const char *field, const char *filename, const void *data, size_t n, size_t *len)
{
    char head[512];
    const char *tail = "\r\n--" IA_BOUNDARY "--\r\n";
    int hl = snprintf(head, sizeof head,
                      "--" IA_BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"; "
                      "filename=\"%s\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                      field, filename);
    size_t tl = strlen(tail);
    char *b = malloc((size_t)hl + n + tl + 1); /* NUL-terminated too: text bodies go as strings */

    cr_assert(b != NULL);
    memcpy(b, head, (size_t)hl);
    memcpy(b + hl, data, n);
    memcpy(b + hl + n, tail, tl);
    b[hl + n + tl] = '\0';
    *len = (size_t)hl + n + tl;
    return b;
}

void ia_sha256(const void *data, size_t n, char hex[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(d, data, n);
    sodium_bin2hex(hex, 65, d, sizeof d);
}

long ia_peak_rss_kib(const char *name)
{
    char path[64], line[256];
    long pid = it_pid_of(name), kib = -1;
    FILE *f;

    cr_assert(pid > 0, "no pid for %s", name);
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    f = fopen(path, "r");
    cr_assert(f != NULL);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Writes all of buf to fd (asserting it goes). */
static void write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        cr_assert(w > 0, "write to the edge failed");
        p += w;
        n -= (size_t)w;
    }
}

void ia_leave_mid_transfer(const struct ia_client *c, const char *download_path, const void *data,
                           int body, size_t part)
{
    char head[1024], buf[65536];
    int fd = raw_connect();
    int n = snprintf(head, sizeof head, "GET %s HTTP/1.1\r\nHost: edge\r\n%s\r\n\r\n",
                     download_path, c->auth);

    write_all(fd, head, (size_t)n);
    cr_assert(read(fd, buf, sizeof buf) > 0);
    close(fd);
    fd = raw_connect();
    n = snprintf(head, sizeof head,
                 "POST /api/2014-08-01/attachment HTTP/1.1\r\nHost: edge\r\n%s\r\n"
                 "Content-Type: multipart/form-data; boundary=" IA_BOUNDARY "\r\n"
                 "Content-Length: %d\r\n\r\n--" IA_BOUNDARY "\r\n"
                 "Content-Disposition: form-data; name=\"attachment\"; filename=\"cut\"\r\n\r\n",
                 c->auth, body);
    write_all(fd, head, (size_t)n);
    write_all(fd, data, part);
    close(fd);
}
