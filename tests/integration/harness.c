/* harness.c: HTTP, JSON, stack control, metrics, Postgres and waiting for the
 * integration suites (see harness.h). Each call is self-contained: tests run
 * in forked processes, so nothing is cached between calls. */
#include "harness.h"

#include <criterion/new/assert.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STACK_ARGS 16
#define MAX_MATCHERS 8

int it_have_stack(void)
{
    return it_env("TEST_EDGE_URL")[0] != '\0';
}

const char *it_env(const char *name)
{
    const char *v = getenv(name);
    return v ? v : "";
}

double it_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* --- HTTP --- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct it_resp *r = arg;
    size_t len = size * n;
    char *grown = realloc(r->body, r->len + len + 1);

    if (!grown)
        return 0;
    r->body = grown;
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

static void drop_headers(struct it_resp *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->hnames[i]);
        free(r->hvalues[i]);
    }
    free(r->hnames);
    free(r->hvalues);
    r->hnames = r->hvalues = NULL;
    r->nheaders = 0;
}

/* One header line; a status line starts over (100 Continue, redirects). */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct it_resp *r = arg;
    size_t len = size * n, nl, vl;
    const char *colon = memchr(data, ':', len);
    const char *v;

    if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
        drop_headers(r);
        return len;
    }
    if (!colon)
        return len;
    nl = (size_t)(colon - data);
    v = colon + 1;
    while (v < data + len && (*v == ' ' || *v == '\t'))
        v++;
    vl = (size_t)(data + len - v);
    while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    r->hnames = realloc(r->hnames, (r->nheaders + 1) * sizeof *r->hnames);
    r->hvalues = realloc(r->hvalues, (r->nheaders + 1) * sizeof *r->hvalues);
    if (!r->hnames || !r->hvalues)
        return 0;
    r->hnames[r->nheaders] = strndup(data, nl);
    r->hvalues[r->nheaders] = strndup(v, vl);
    r->nheaders++;
    return len;
}

int it_http(const struct it_req *rq, struct it_resp *out)
{
    const char *method = rq->method ? rq->method : "GET";
    struct curl_slist *hs = NULL;
    char url[4096], userpwd[512], keyhdr[512];
    double start;
    CURL *c;
    CURLcode rc;

    memset(out, 0, sizeof *out);
    out->body = calloc(1, 1);
    if (rq->url)
        snprintf(url, sizeof url, "%s", rq->url);
    else
        snprintf(url, sizeof url, "%s%s", it_env("TEST_EDGE_URL"), rq->path ? rq->path : "/");
    c = curl_easy_init();
    if (!c || !out->body) {
        snprintf(out->error, sizeof out->error, "curl_easy_init failed");
        curl_easy_cleanup(c);
        return -1;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rq->timeout_ms > 0 ? rq->timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (rq->local_addr)
        curl_easy_setopt(c, CURLOPT_INTERFACE, rq->local_addr);
    if (rq->body || rq->body_len || !strcmp(method, "POST") || !strcmp(method, "PUT")) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? (const char *)rq->body : "");
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "GET") && !rq->body && !rq->body_len)
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (rq->auth == IT_AUTH_BOOTSTRAP) {
        snprintf(userpwd, sizeof userpwd, "%s:%s", it_env("TEST_API_USER"), it_env("TEST_API_KEY"));
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
    } else if (rq->auth == IT_AUTH_API_KEY) {
        snprintf(keyhdr, sizeof keyhdr, "x-api-key: %s", it_env("TEST_API_KEY"));
        hs = curl_slist_append(hs, keyhdr);
    }
    hs = curl_slist_append(hs, "Expect:"); /* no 100-continue round trip */
    for (const char *const *h = rq->headers; h && *h; h++)
        hs = curl_slist_append(hs, *h);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    start = it_now_ms();
    rc = curl_easy_perform(c);
    out->ms = it_now_ms() - start;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    } else {
        /* A reply may have arrived before the upload failed (early 413). */
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
        snprintf(out->error, sizeof out->error, "%s", curl_easy_strerror(rc));
    }
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    return out->status ? 0 : -1;
}

void it_call(struct it_resp *out, const char *method, const char *path, enum it_auth auth,
             const char *ctype, const char *body)
{
    char ct[256];
    const char *hs[2] = {NULL, NULL};
    struct it_req rq = {0};

    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        hs[0] = ct;
    }
    rq.method = method;
    rq.path = path;
    rq.auth = auth;
    rq.headers = hs;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    if (it_http(&rq, out) != 0)
        cr_fail("%s %s: no response: %s", method, path, out->error);
}

void it_resp_release(struct it_resp *r)
{
    free(r->body);
    r->body = NULL;
    drop_headers(r);
}

const char *it_header(const struct it_resp *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (!strcasecmp(r->hnames[i], name))
            return r->hvalues[i];
    return NULL;
}

const char *it_header_str(const struct it_resp *r, const char *name)
{
    const char *v = it_header(r, name);
    return v ? v : "(absent)";
}

json_t *it_json(const struct it_resp *r)
{
    json_error_t jerr;
    json_t *doc = json_loadb(r->body, r->len, 0, &jerr);

    cr_assert(doc != NULL, "body is not JSON (%s): %.300s", jerr.text, r->body);
    return doc;
}

json_t *it_call_expect(const char *method, const char *path, const char *token, const char *body,
                       long status)
{
    struct it_resp r;
    json_t *doc;

    it_call_token(&r, method, path, token, body);
    cr_assert(eq(long, r.status, status), "%s %s: %s", method, path, r.body);
    doc = it_json(&r);
    it_resp_release(&r);
    return doc;
}

const char *it_attr_str(const json_t *doc, const char *name)
{
    const char *v = json_string_value(
        json_object_get(json_object_get(json_object_get(doc, "data"), "attributes"), name));
    return v ? v : "(none)";
}

const char *it_data_id(const json_t *doc)
{
    const char *v = json_string_value(json_object_get(json_object_get(doc, "data"), "id"));
    return v ? v : "(none)";
}

static void assert_nonempty_string(const json_t *v, const char *what, const char *body)
{
    cr_assert(it_true(json_is_string(v)), "%s is not a string in %.300s", what, body);
    cr_assert(json_string_length(v) > 0, "%s is empty in %.300s", what, body);
}

void it_assert_error_style(const struct it_resp *r, const char *surface, long status)
{
    const char *ctype = it_header(r, "Content-Type");
    json_t *doc;

    cr_assert(eq(long, r->status, status), "body: %.300s", r->body);
    cr_assert(ctype != NULL && !strncmp(ctype, "application/json", 16), "Content-Type is %s",
              ctype ? ctype : "(none)");
    doc = it_json(r);
    cr_assert(it_true(json_is_object(doc)), "not an object: %.300s", r->body);
    if (!strcmp(surface, "cureatr")) {
        cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "status")), "error"),
                  "body: %.300s", r->body);
        assert_nonempty_string(json_object_get(doc, "message"), "message", r->body);
        cr_assert(eq(sz, json_object_size(doc), 2), "extra members: %.300s", r->body);
    } else if (!strcmp(surface, "okaya")) {
        assert_nonempty_string(json_object_get(doc, "error"), "error", r->body);
        cr_assert(eq(sz, json_object_size(doc), 1), "extra members: %.300s", r->body);
    } else {
        json_t *errors = json_object_get(doc, "errors");
        json_t *e0 = json_array_get(errors, 0);
        cr_assert(it_true(json_is_array(errors)) && json_array_size(errors) >= 1, "body: %.300s",
                  r->body);
        cr_assert(it_true(json_is_object(e0)), "body: %.300s", r->body);
        cr_assert(it_true(json_is_integer(json_object_get(e0, "status"))), "body: %.300s", r->body);
        cr_assert(eq(i64, json_integer_value(json_object_get(e0, "status")), status),
                  "body: %.300s", r->body);
        assert_nonempty_string(json_object_get(e0, "code"), "errors[0].code", r->body);
        assert_nonempty_string(json_object_get(e0, "detail"), "errors[0].detail", r->body);
    }
    json_decref(doc);
}

/* --- the test stack --- */

int it_stack(char *out, size_t cap, const char *arg, ...)
{
    const char *argv[MAX_STACK_ARGS + 2];
    char logpath[1024];
    int fds[2], n = 0, status;
    size_t got = 0;
    va_list ap;
    pid_t pid;

    argv[n++] = it_env("TEST_STACK");
    va_start(ap, arg);
    for (const char *a = arg; a && n <= MAX_STACK_ARGS; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    if (!argv[0][0] || pipe(fds) != 0)
        return -1;
    snprintf(logpath, sizeof logpath, "%s/log/integration-stack.log", it_env("TEST_VAR_DIR"));
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(fds[1], 1);
        if (logfd >= 0)
            dup2(logfd, 2);
        close(fds[0]);
        close(fds[1]);
        setenv("VAR_DIR", it_env("TEST_VAR_DIR"), 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char buf[512];
        ssize_t k = read(fds[0], buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        if (out && cap > 1) {
            size_t take = (size_t)k < cap - 1 - got ? (size_t)k : cap - 1 - got;
            memcpy(out + got, buf, take);
            got += take;
        }
    }
    close(fds[0]);
    if (out && cap > 0) {
        out[got] = '\0';
        while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == '\r'))
            out[--got] = '\0';
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int it_admin_port(const char *svc, int inst)
{
    char num[16], out[64];
    int rc, port;

    snprintf(num, sizeof num, "%d", inst);
    rc = it_stack(out, sizeof out, "admin-port", svc, num, NULL);
    cr_assert(eq(int, rc, 0), "stack.sh admin-port %s %d failed", svc, inst);
    port = atoi(out);
    cr_assert(port > 0 && port < 65536, "admin-port %s %d printed \"%s\"", svc, inst, out);
    return port;
}

static int admin_get(int port, const char *what, struct it_resp *out)
{
    char url[128];
    struct it_req rq = {0};

    snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", port, what);
    rq.url = url;
    rq.timeout_ms = 3000;
    return it_http(&rq, out);
}

long it_admin_status(int port, const char *what)
{
    struct it_resp r;
    long status;

    admin_get(port, what, &r);
    status = r.status;
    it_resp_release(&r);
    return status;
}

/* True when the sample line (after "name{") carries every matcher. */
static int labels_match(const char *labels, size_t len, const char *const *m, int nm)
{
    for (int i = 0; i < nm; i++) {
        size_t ml = strlen(m[i]);
        int found = 0;
        for (size_t at = 0; at + ml <= len && !found; at++)
            found = (at == 0 || labels[at - 1] == ',' || labels[at - 1] == '{') &&
                    !strncmp(labels + at, m[i], ml);
        if (!found)
            return 0;
    }
    return 1;
}

double it_metric(int port, const char *name, ...)
{
    const char *m[MAX_MATCHERS];
    size_t namelen = strlen(name);
    struct it_resp r;
    double sum = 0;
    int nm = 0;
    va_list ap;

    va_start(ap, name);
    for (const char *a = va_arg(ap, const char *); a && nm < MAX_MATCHERS;
         a = va_arg(ap, const char *))
        m[nm++] = a;
    va_end(ap);
    if (admin_get(port, "metrics", &r) != 0 || r.status != 200) {
        it_resp_release(&r);
        return -1;
    }
    for (char *line = r.body; line && *line;) {
        char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > namelen + 1 && !strncmp(line, name, namelen) && line[namelen] == '{') {
            const char *close = memchr(line, '}', len);
            if (close && labels_match(line + namelen, (size_t)(close - line) - namelen, m, nm))
                sum += strtod(close + 1, NULL);
        }
        line = eol ? eol + 1 : NULL;
    }
    it_resp_release(&r);
    return sum;
}

long it_pid_of(const char *name)
{
    char path[1024];
    long pid = 0;
    FILE *f;

    snprintf(path, sizeof path, "%s/run/%s.pid", it_env("TEST_VAR_DIR"), name);
    f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid;
}

int it_wait_all_ready(double timeout_ms)
{
    static const char *const daemons[] = {"edge",      "identity",   "authz",
                                          "messaging", "onboarding", "privacy"};
    int ports[6];
    double deadline = it_now_ms() + timeout_ms;

    for (int i = 0; i < 6; i++)
        ports[i] = it_admin_port(daemons[i], 1);
    for (;;) {
        int all = 1;
        for (int i = 0; i < 6 && all; i++)
            all = it_admin_status(ports[i], "readyz") == 200;
        if (all)
            return 1;
        if (it_now_ms() > deadline)
            return 0;
        sleep_ms(100);
    }
}

int it_wait_util_test_ok(double timeout_ms)
{
    double deadline = it_now_ms() + timeout_ms;

    for (;;) {
        struct it_resp r;
        struct it_req rq = {.path = IT_UTIL_TEST, .auth = IT_AUTH_BOOTSTRAP, .timeout_ms = 3000};
        long status;

        it_http(&rq, &r);
        status = r.status;
        it_resp_release(&r);
        if (status == 200)
            return 1;
        if (it_now_ms() > deadline)
            return 0;
        sleep_ms(100);
    }
}

/* --- Postgres --- */

PGconn *it_pg(void)
{
    const char *url = it_env("TEST_PG_URL");
    PGconn *pg;

    if (!url[0])
        cr_skip_test("no test database (TEST_PG_URL unset)");
    pg = PQconnectdb(url);
    cr_assert(pg != NULL && PQstatus(pg) == CONNECTION_OK, "cannot connect to TEST_PG_URL: %s",
              pg ? PQerrorMessage(pg) : "out of memory");
    PQclear(PQexec(pg, "SELECT pg_catalog.set_config('search_path', '', false)"));
    return pg;
}

/* 1 when res failed as a deadlock or serialization victim: a statement a
 * test runs beside the daemons (e.g. writing authz's projection while it
 * applies identity's events) is simply run again. */
static int pg_retryable(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return state && (!strcmp(state, "40P01") || !strcmp(state, "40001"));
}

char *it_pg_value(PGconn *pg, const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    char *v = NULL;

    for (int tries = 1; tries < 5 && pg_retryable(res); tries++) {
        PQclear(res);
        sleep_ms(20 * tries);
        res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    }

    cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(pg));
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        v = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

/* --- users and tokens --- */

void it_call_token(struct it_resp *out, const char *method, const char *path, const char *token,
                   const char *json_body)
{
    char auth[4200];
    const char *hs[3] = {"Content-Type: application/json", NULL, NULL};
    struct it_req rq = {0};

    if (token && token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hs[1] = auth;
    }
    rq.method = method;
    rq.path = path;
    rq.headers = hs;
    rq.body = json_body;
    rq.body_len = json_body ? strlen(json_body) : 0;
    if (it_http(&rq, out) != 0)
        cr_fail("%s %s: no response: %s", method, path, out->error);
}

/* Copies string member name of obj into dst (4097 bytes) when dst is set. */
static void copy_member(json_t *obj, const char *name, char *dst)
{
    json_t *v = json_object_get(obj, name);
    if (!dst)
        return;
    dst[0] = '\0';
    if (json_is_string(v) && json_string_length(v) <= 4096)
        memcpy(dst, json_string_value(v), json_string_length(v) + 1);
}

long it_login(const char *username, const char *password, const char *totp_code, char *access,
              char *refresh)
{
    struct it_resp r;
    json_t *body = json_pack("{s:s, s:s}", "username", username, "password", password), *doc;
    char *text;
    long status;

    if (totp_code)
        json_object_set_new(body, "totp-code", json_string(totp_code));
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    it_call_token(&r, "POST", "/v1/login/", NULL, text);
    free(text);
    status = r.status;
    if (status == 201) {
        doc = it_json(&r);
        copy_member(doc, "access-token", access);
        copy_member(doc, "refresh-token", refresh);
        json_decref(doc);
    }
    it_resp_release(&r);
    return status;
}

void it_admin_token(char *access)
{
    long status = it_login(it_env("TEST_ADMIN_EMAIL"), it_env("TEST_ADMIN_PASSWORD"), NULL, access,
                           NULL);
    cr_assert(eq(long, status, 201), "platform admin login");
    cr_assert(access[0] != '\0', "platform admin access token");
}

void it_admin_session(char *access, char *user_id, char *session_id)
{
    struct it_resp r;
    json_t *doc, *data;

    it_admin_token(access);
    it_call_token(&r, "POST", "/v1/authenticate/", access, "{}");
    cr_assert(eq(long, r.status, 201), "authenticate: %.300s", r.body);
    doc = it_json(&r);
    data = json_object_get(doc, "data");
    if (user_id)
        snprintf(user_id, 40, "%s", json_string_value(json_object_get(data, "user-id")));
    if (session_id)
        snprintf(session_id, 40, "%s", json_string_value(json_object_get(data, "session-id")));
    json_decref(doc);
    it_resp_release(&r);
}

void it_admin_token_accepted(char *access)
{
    double start = it_now_ms();
    struct it_resp r = {0};

    it_admin_token(access);
    for (;;) {
        it_call_token(&r, "GET", "/v1/organizations/", access, NULL);
        if (r.status != 503 || it_now_ms() - start > 15000)
            break;
        it_resp_release(&r);
        usleep(50 * 1000);
    }
    cr_assert(eq(long, r.status, 200), "the edge takes the admin's token: %.300s", r.body);
    it_resp_release(&r);
}

void it_unique(char *out, size_t cap, const char *prefix)
{
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(out, cap, "%s%lx%lx%x", prefix, (unsigned long)ts.tv_nsec, (unsigned long)getpid(),
             counter++);
}

/* Whether spooled message j goes to `to` and (kind not NULL) is of kind. */
static int spool_matches(const json_t *j, const char *to, const char *kind)
{
    const json_t *t = json_object_get(j, "to"), *k = json_object_get(j, "kind");

    return json_is_string(t) && !strcmp(json_string_value(t), to) &&
           (!kind || (json_is_string(k) && !strcmp(json_string_value(k), kind)));
}

int it_spool_count(const char *to, const char *kind)
{
    const char *dir = it_env("TEST_SPOOL_DIR");
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d))) {
        char path[1024];
        json_t *j;
        if (!strstr(e->d_name, ".json") || e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        j = json_load_file(path, 0, NULL);
        n += spool_matches(j, to, kind);
        json_decref(j);
    }
    if (d)
        closedir(d);
    return n;
}

json_t *it_spool_wait(const char *to, const char *kind, double timeout_ms)
{
    double until = it_now_ms() + timeout_ms;
    const char *dir = it_env("TEST_SPOOL_DIR");

    do {
        json_t *best = NULL;
        char best_name[512] = "";
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char path[1024];
            json_t *j;
            if (!strstr(e->d_name, ".json"))
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            j = json_load_file(path, 0, NULL);
            if (spool_matches(j, to, kind) && strcmp(e->d_name, best_name) > 0) {
                json_decref(best);
                best = j;
                snprintf(best_name, sizeof best_name, "%s", e->d_name);
            } else {
                json_decref(j);
            }
        }
        if (d)
            closedir(d);
        if (best)
            return best;
        usleep(50 * 1000);
    } while (it_now_ms() < until);
    return NULL;
}

void it_spool_code(const json_t *msg, char *out, size_t cap)
{
    const char *b = json_string_value(json_object_get(msg, "body"));
    out[0] = '\0';
    for (; b && *b; b++) {
        size_t n = strspn(b, "0123456789");
        if (n >= 6 && n < cap) {
            memcpy(out, b, n);
            out[n] = '\0';
            return;
        }
        if (n)
            b += n - 1;
    }
}

int it_stack_restore(double timeout_ms)
{
    static const char *const daemons[] = {"identity",   "authz",   "messaging",
                                          "onboarding", "privacy", "edge"};
    double deadline = it_now_ms() + timeout_ms;
    long pid;

    if (!it_have_stack())
        return 1;
    pid = it_pid_of("nats");
    if (pid > 0)
        kill((pid_t)pid, SIGCONT); /* a frozen server; a no-op otherwise */
    /* each of these is a no-op when the part already runs */
    it_stack(NULL, 0, "start-pg", NULL);
    it_stack(NULL, 0, "start-nats", NULL);
    for (size_t i = 0; i < sizeof daemons / sizeof *daemons; i++) {
        char copy[64];

        snprintf(copy, sizeof copy, "%s-2", daemons[i]);
        pid = it_pid_of(copy);
        if (pid > 0 && kill((pid_t)pid, 0) == 0)
            it_stack(NULL, 0, "stop", daemons[i], "2", NULL);
        if (it_admin_status(it_admin_port(daemons[i], 1), "readyz") != 200)
            it_stack(NULL, 0, "start", daemons[i], NULL); /* waits for its /readyz */
    }
    return it_wait_all_ready(deadline - it_now_ms()) && it_wait_util_test_ok(deadline - it_now_ms());
}
