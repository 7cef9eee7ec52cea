/* test_clinical_journey.c: issue 11's two-person journey in one test,
 * through the edge and in the order: an API client creates two
 * users (POST admin/users) and a thread to them plus one invalid address,
 * strict (400, nothing made) then relaxed (recipients_ok/recipients_error);
 * uploads a 20 MB attachment (SHA-256 checked on download) and names it in
 * the thread; the users set a password (/v1 forgot-password), log in with
 * their own tokens and read, and counters and read statuses (time_read)
 * change as each reads; the admin export streams the OU's users as chunked
 * CSV and JSON lines, both holding the two users. Suite: clinical_journey. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "clinical_fixtures.h"
#include "it_attach.h"
#include "it_clinical.h"

#define CREATE "/api/2014-08-01/thread/create"
#define ATTACH "/api/2014-08-01/attachment"
#define USERS "/api/2015-02-01/admin/users"
#define JSON "application/json"
#define BIG (20 * 1024 * 1024 + 12345) /* over 20 MB, not a multiple of a chunk */
#define PASSWORD "Amber-Lantern-4096?"

TestSuite(clinical_journey, .timeout = 240);

/* The ic_client's credentials as the other fixtures' client types. */
static void as_cf(const struct ic_client *c, struct cf_client *out)
{
    snprintf(out->user, sizeof out->user, "%s", c->user);
    snprintf(out->key, sizeof out->key, "%s", c->key);
}

static void as_ia(const struct ic_client *c, struct ia_client *out)
{
    char cred[200], b64[300];

    memset(out, 0, sizeof *out);
    snprintf(out->org, sizeof out->org, "%s", c->org);
    snprintf(out->user, sizeof out->user, "%s", c->user);
    snprintf(out->key, sizeof out->key, "%s", c->key);
    snprintf(cred, sizeof cred, "%s:%s", c->user, c->key);
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)cred, strlen(cred),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out->auth, sizeof out->auth, "Authorization: Basic %s", b64);
}

/* A user made by admin/users has no password: it chooses one through
 * /v1/forgot-password/ (the code is mailed to its email, which is its
 * user_id) and logs in with it; the access token to token (4097).
 * An account made by POST admin/users has no password and is not
 * confirmed: its first reset (a code to its email) activates it (identity
 * verifies the address and registers the account, store_codes.c). */
static void activate(const char *email, char *token)
{
    char body[400], code[16];
    json_t *msg, *doc = NULL;
    long st;

    snprintf(body, sizeof body, "{\"username\": \"%s\"}", email);
    cr_assert(eq(long, af_call("POST", "/v1/forgot-password/", NULL, body, NULL), 201));
    msg = it_spool_wait(email, "reset-code", 10000);
    cr_assert(msg != NULL, "no reset code was sent to %s", email);
    it_spool_code(msg, code, sizeof code);
    json_decref(msg);
    snprintf(body, sizeof body,
             "{\"username\": \"%s\", \"confirmation-code\": \"%s\", \"password\": \"%s\", "
             "\"login\": false}",
             email, code, PASSWORD);
    st = af_call("POST", "/v1/confirm-forgot-password/", NULL, body, NULL);
    cr_assert(eq(long, st, 201), "confirm-forgot-password for %s", email);
    st = af_login(email, PASSWORD, NULL, &doc);
    cr_assert(eq(long, st, 201), "login of %s: %s", email, doc ? json_dumps(doc, 0) : "");
    snprintf(token, 4097, "%s", af_str(doc, "access-token"));
    cr_assert(gt(sz, strlen(token), (size_t)20));
    json_decref(doc);
}

/* GET path with a person's Bearer token into r, allowing 60 s (a 20 MB
 * body on a loaded machine); caller releases. */
static void person_get(struct it_resp *r, const char *token, const char *path)
{
    char auth[4200];
    const char *hs[2] = {auth, NULL};
    struct it_req rq = {.method = "GET", .path = path, .headers = hs, .timeout_ms = 60000};

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    cr_assert(eq(int, it_http(&rq, r), 0), "GET %s: %s", path, r->error);
}

/* Asserts message's statuses: one per recipient (emails ea, eb), "read"
 * with a time_read exactly when a_read (b_read), else "unread" without. */
static void statuses(const struct ic_client *c, const char *message, const char *ea,
                     const char *eb, int a_read, int b_read)
{
    char path[256];
    json_t *doc = NULL, *list;

    snprintf(path, sizeof path, "/api/2014-08-01/message/%s/status", message);
    cr_assert(eq(long, ic_api(c, "GET", path, NULL, NULL, &doc), 200));
    list = json_object_get(doc, "statuses");
    cr_assert(eq(sz, json_array_size(list), 2), "%s", json_dumps(doc, 0));
    for (size_t i = 0; i < 2; i++) {
        const json_t *s = json_array_get(list, i);
        int is_a = !strcmp(ic_str(s, "user"), ea), read = is_a ? a_read : b_read;

        cr_assert(it_true(is_a || !strcmp(ic_str(s, "user"), eb)), "%s", ic_str(s, "user"));
        cr_assert(eq(str, (char *)ic_str(s, "status"), read ? "read" : "unread"));
        cr_assert(eq(int, ic_str(s, "time_read")[0] != '\0', read), "time_read of %s",
                  ic_str(s, "user"));
    }
    json_decref(doc);
}

static long threads_of(const char *org)
{
    PGconn *pg = it_pg();
    const char *params[1] = {org};
    char *v = it_pg_value(pg,
                          "SELECT count(*) FROM messaging.clinical_threads "
                          "WHERE organization_id = $1",
                          1, params);
    long n = v ? atol(v) : -1;

    free(v);
    PQfinish(pg);
    return n;
}

/* GET admin/users?format=fmt as c: 200, chunked, of content type ctype,
 * naming both emails; the body to *r (caller releases). */
static void export(const struct ia_client *c, const char *fmt, const char *ctype, const char *ea,
                   const char *eb, struct it_resp *r)
{
    char path[256];

    snprintf(path, sizeof path, USERS "?ou=%s&children=true&format=%s", c->org, fmt);
    ia_call(r, c, "GET", path, NULL, NULL, 0);
    cr_assert(eq(long, r->status, 200), "%s: %.300s", fmt, r->body);
    cr_assert(eq(str, (char *)it_header_str(r, "content-type"), (char *)ctype));
    cr_assert(eq(str, (char *)it_header_str(r, "transfer-encoding"), "chunked"));
    cr_assert(not(eq(ptr, strstr(r->body, ea), NULL)), "%s export lacks %s", fmt, ea);
    cr_assert(not(eq(ptr, strstr(r->body, eb), NULL)), "%s export lacks %s", fmt, eb);
}

Test(clinical_journey, two_persons_from_creation_to_export)
{
    struct ic_client c;
    struct cf_client cf;
    struct ia_client ia;
    char ea[128], eb[128], ta[4097], tb[4097], body[1200], path[256], thread[64], first[64];
    char att[32], want[65], got[65];
    unsigned char *data = malloc(BIG);
    json_t *doc = NULL, *a;
    struct it_resp r;
    size_t len, lines = 0;
    long unread, unseen;
    char *mp;

    IT_REQUIRE_STACK();
    cr_assert(data != NULL);
    ic_world(&c, "[\"admin\"]");
    as_cf(&c, &cf);
    as_ia(&c, &ia);

    /* 1. two users through POST admin/users (their user_id is their email) */
    cf_user(&cf, c.org_name, "", ea);
    cf_user(&cf, c.org_name, "", eb);

    /* 2. a thread to both and one invalid address: strict refuses, nothing made */
    snprintf(body, sizeof body,
             "{\"subject\":\"Bed 4\",\"message\":\"Please review\",\"validation\":\"strict\","
             "\"recipients\":[\"%s\",\"%s\",\"nobody@example.com\"]}",
             ea, eb);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, JSON, body, &doc), 400), "%s",
              json_dumps(doc, 0));
    cf_assert_error(doc, "Invalid recipients");
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_error")), 1));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_error"), "nobody@example.com")));
    cr_assert(eq(ptr, json_object_get(doc, "thread_id"), NULL));
    json_decref(doc);
    cr_assert(eq(long, threads_of(c.org), 0), "strict made nothing");

    /* 3. a 20 MB attachment, intact on the way back */
    for (size_t i = 0; i < BIG; i++) /* not compressible */
        data[i] = (unsigned char)((i * 2654435761u) >> 13);
    memcpy(data, "%PDF-1.4\n", 9);
    ia_sha256(data, BIG, want);
    mp = ia_multipart("attachment", "scan.pdf", data, BIG, &len);
    ia_call(&r, &ia, "POST", ATTACH, "multipart/form-data; boundary=" IA_BOUNDARY, mp, len);
    free(mp);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    doc = it_json(&r);
    it_resp_release(&r);
    a = json_object_get(doc, "attachment");
    cr_assert(eq(i64, json_integer_value(json_object_get(a, "size")), BIG));
    cr_assert(eq(str, (char *)ic_str(a, "name"), "scan.pdf"));
    snprintf(att, sizeof att, "%s", ic_str(a, "id"));
    cr_assert(eq(sz, strlen(att), 24));
    json_decref(doc);
    snprintf(path, sizeof path, ATTACH "/%s/content", att);
    ia_call(&r, &ia, "GET", path, NULL, NULL, 0);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(sz, r.len, (size_t)BIG));
    ia_sha256(r.body, r.len, got);
    cr_assert(eq(str, got, want), "the download's SHA-256");
    it_resp_release(&r);

    /* 4. relaxed (the default): sent to the two, the invalid one listed */
    snprintf(body, sizeof body,
             "{\"subject\":\"Bed 4\",\"message\":\"Please review\",\"attachment_ids\":[\"%s\"],"
             "\"recipients\":[\"%s\",\"%s\",\"nobody@example.com\"]}",
             att, ea, eb);
    cr_assert(eq(long, ic_api(&c, "POST", CREATE, JSON, body, &doc), 200), "%s",
              json_dumps(doc, 0));
    cr_assert(eq(str, (char *)ic_str(doc, "status"), "ok"));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_ok")), 2));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_ok"), ea)));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_ok"), eb)));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "recipients_error")), 1));
    cr_assert(it_true(ic_has(json_object_get(doc, "recipients_error"), "nobody@example.com")));
    snprintf(thread, sizeof thread, "%s", ic_str(doc, "thread_id"));
    snprintf(first, sizeof first, "%s", ic_str(doc, "message_id"));
    json_decref(doc);
    cr_assert(eq(long, threads_of(c.org), 1));
    ic_counters(&c, ea, &unread, &unseen);
    cr_assert(eq(long, unread, 1));
    cr_assert(eq(long, unseen, 1));
    ic_counters(&c, eb, &unread, &unseen);
    cr_assert(eq(long, unread, 1));
    statuses(&c, first, ea, eb, 0, 0);

    /* 5. the recipients log in on /v1 with their own passwords */
    activate(ea, ta);
    activate(eb, tb);

    /* 6. a reads the thread with its token: the attachment is named there;
     * a's counters drop to 0, b's stay */
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
    cr_assert(eq(long, ic_token(ta, "GET", path, NULL, &doc), 200), "%s", json_dumps(doc, 0));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "thread"), "id"), thread));
    {
        char *text = json_dumps(doc, 0);
        cr_assert(not(eq(ptr, strstr(text, att), NULL)), "the thread names the attachment: %s",
                  text);
        free(text);
    }
    json_decref(doc);
    ic_counters(&c, ea, &unread, &unseen);
    cr_assert(eq(long, unread, 0));
    cr_assert(eq(long, unseen, 0));
    ic_counters(&c, eb, &unread, &unseen);
    cr_assert(eq(long, unread, 1), "b has not read yet");
    cr_assert(eq(long, unseen, 1));
    statuses(&c, first, ea, eb, 1, 0);

    /* a person downloads the attachment of their thread, intact */
    snprintf(path, sizeof path, ATTACH "/%s/content", att);
    person_get(&r, ta, path);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(sz, r.len, (size_t)BIG));
    ia_sha256(r.body, r.len, got);
    cr_assert(eq(str, got, want));
    it_resp_release(&r);

    /* 7. b reads the message's contents with its token: now both read */
    snprintf(path, sizeof path, "/api/2017-09-01/message/%s/contents", first);
    cr_assert(eq(long, ic_token(tb, "GET", path, NULL, &doc), 200), "%s", json_dumps(doc, 0));
    cr_assert(eq(str, (char *)ic_str(json_object_get(doc, "message"), "content"), "Please review"));
    json_decref(doc);
    ic_counters(&c, eb, &unread, &unseen);
    cr_assert(eq(long, unread, 0));
    cr_assert(eq(long, unseen, 0));
    statuses(&c, first, ea, eb, 1, 1);

    /* 8. the admin export streams the OU's users, both of them, in CSV and
     * in JSON lines (each line one object) */
    export(&ia, "csv", "text/csv; charset=utf-8", ea, eb, &r);
    cr_assert(eq(int, strncmp(r.body, "id,user_id,email,", 17), 0), "%.100s", r.body);
    it_resp_release(&r);
    export(&ia, "json", "application/json", ea, eb, &r);
    for (char *line = r.body, *end; *line; line = end + 1, lines++) {
        json_t *o;

        end = strchr(line, '\n');
        cr_assert(not(eq(ptr, end, NULL)), "last line not terminated");
        *end = '\0';
        o = json_loads(line, 0, NULL);
        cr_assert(not(eq(ptr, o, NULL)), "not JSON: %s", line);
        cr_assert(eq(str, (char *)ic_str(o, "primary_ou"), c.org_name));
        json_decref(o);
    }
    cr_assert(eq(sz, lines, 2), "the two users (an API client is no member)");
    it_resp_release(&r);
    free(data);
}
