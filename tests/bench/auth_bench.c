/* auth_bench.c: the authentication figures of `make bench` (scripts/bench.sh):
 *
 *   auth_bench argon2  THREADS SECONDS OPSLIMIT MEMLIMIT_KIB
 *       raw argon2id hashes/s (libsodium crypto_pwhash_str) on THREADS threads
 *   auth_bench login   THREADS SECONDS BASE_URL USERNAME PASSWORD
 *       POST /v1/login/ through the edge, each thread in a loop
 *   auth_bench refresh THREADS SECONDS BASE_URL USERNAME PASSWORD
 *       each thread logs in once, then rotates its refresh token in a loop
 *       (POST /v1/refresh-token/ with the token the previous answer gave)
 *
 * Prints one line: "<mode> <ops/s> <p50 ms> <p99 ms> <ops> <errors> <busy>".
 * Any error (a status other than 201, no token) is counted and makes the
 * exit status 1, so the bench fails rather than report a broken figure. A
 * login answered 503 (identity's password pool is full) is not an error:
 * like a polite client, the thread waits the Retry-After and tries again;
 * those answers are counted in <busy>. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 200000

struct worker {
    const char *mode, *base, *user, *pass;
    double seconds;
    unsigned long long opslimit;
    size_t memlimit;
    double *lat; /* ms of each operation */
    size_t n, errors, busy;
    pthread_t tid;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct buf {
    char *data;
    size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct buf *b = ctx;
    char *d = realloc(b->data, b->len + size * n + 1);
    if (!d)
        return 0;
    memcpy(d + b->len, p, size * n);
    b->data = d;
    b->len += size * n;
    b->data[b->len] = '\0';
    return size * n;
}

/* POSTs json to base+path on curl handle c; returns the status and the
 * parsed body in *out (NULL when not JSON). */
static long post(CURL *c, const char *base, const char *path, const char *json, json_t **out)
{
    char url[1024];
    struct buf b = {NULL, 0};
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    long status = 0;

    snprintf(url, sizeof url, "%s%s", base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    *out = b.data ? json_loads(b.data, 0, NULL) : NULL;
    free(b.data);
    curl_slist_free_all(h);
    return status;
}

/* Prints a worker's first failure (status and error body) to stderr. */
static void report(const char *mode, long status, const json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    fprintf(stderr, "auth_bench %s: HTTP %ld %s\n", mode, status, text ? text : "(no JSON body)");
    free(text);
}

/* Logs in; copies the refresh token into refresh (when not NULL). */
static int login(CURL *c, struct worker *w, char *refresh, size_t cap)
{
    json_t *body = json_pack("{s:s, s:s}", "username", w->user, "password", w->pass), *doc;
    char *text = json_dumps(body, JSON_COMPACT);
    long status = post(c, w->base, "/v1/login/", text, &doc);
    json_t *rt;
    int ok, tries = 0;

    while (status == 503 && ++tries <= 30) { /* the password pool is full */
        w->busy++;
        json_decref(doc);
        sleep(1); /* its Retry-After */
        status = post(c, w->base, "/v1/login/", text, &doc);
    }
    rt = json_object_get(doc, "refresh-token");
    ok = status == 201 && (!refresh || (json_is_string(rt) && json_string_length(rt) < cap));

    if (!ok && w->errors == 0)
        report(w->mode, status, doc);

    if (ok && refresh)
        strcpy(refresh, json_string_value(rt));
    json_decref(doc);
    json_decref(body);
    free(text);
    return ok ? 0 : -1;
}

static int refresh_once(CURL *c, struct worker *w, char *token, size_t cap)
{
    json_t *body = json_pack("{s:s}", "refresh-token", token), *doc;
    char *text = json_dumps(body, JSON_COMPACT);
    long status = post(c, w->base, "/v1/refresh-token/", text, &doc);
    json_t *rt = json_object_get(doc, "refresh-token");
    int ok = status == 201 && json_is_string(rt) && json_string_length(rt) < cap;

    if (!ok && w->errors == 0)
        report(w->mode, status, doc);

    if (ok)
        strcpy(token, json_string_value(rt));
    json_decref(doc);
    json_decref(body);
    free(text);
    return ok ? 0 : -1;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    char refresh[4200] = "", hash[crypto_pwhash_STRBYTES];
    CURL *c = strcmp(w->mode, "argon2") ? curl_easy_init() : NULL;
    double end, t;
    int rc;

    if (!strcmp(w->mode, "refresh") && (!c || login(c, w, refresh, sizeof refresh) != 0)) {
        w->errors++;
        goto done;
    }
    end = now_s() + w->seconds;
    while ((t = now_s()) < end && w->n < MAX_SAMPLES) {
        if (!strcmp(w->mode, "argon2"))
            rc = crypto_pwhash_str(hash, "correct horse battery staple", 28, w->opslimit,
                                   w->memlimit);
        else if (!strcmp(w->mode, "login"))
            rc = login(c, w, NULL, 0);
        else
            rc = refresh_once(c, w, refresh, sizeof refresh);
        if (rc != 0) {
            w->errors++;
            if (!strcmp(w->mode, "refresh"))
                break; /* the chain is broken: a new login would hide it */
            continue;
        }
        w->lat[w->n++] = (now_s() - t) * 1000.0;
    }
done:
    if (c)
        curl_easy_cleanup(c);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int threads;
    double seconds, start, elapsed;
    struct worker *ws;
    double *all;
    size_t total = 0, errors = 0, busy = 0, k = 0;

    if (argc < 2 || argc != (strcmp(argv[1], "argon2") ? 7 : 6) ||
        (strcmp(argv[1], "argon2") && strcmp(argv[1], "login") && strcmp(argv[1], "refresh"))) {
        fprintf(stderr, "usage: auth_bench argon2 THREADS SECONDS OPSLIMIT MEMLIMIT_KIB\n"
                        "       auth_bench login|refresh THREADS SECONDS BASE_URL USER PASS\n");
        return 2;
    }
    threads = atoi(argv[2]);
    seconds = atof(argv[3]);
    if (threads < 1 || threads > 256 || seconds <= 0 || sodium_init() < 0) {
        fprintf(stderr, "auth_bench: bad THREADS or SECONDS\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ws = calloc((size_t)threads, sizeof *ws);
    for (int i = 0; i < threads; i++) {
        ws[i].mode = argv[1];
        ws[i].seconds = seconds;
        if (!strcmp(argv[1], "argon2")) {
            ws[i].opslimit = strtoull(argv[4], NULL, 10);
            ws[i].memlimit = strtoull(argv[5], NULL, 10) * 1024;
        } else {
            ws[i].base = argv[4];
            ws[i].user = argv[5];
            ws[i].pass = argv[6];
        }
        ws[i].lat = malloc(MAX_SAMPLES * sizeof(double));
    }
    start = now_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&ws[i].tid, NULL, run, &ws[i]);
    for (int i = 0; i < threads; i++) {
        pthread_join(ws[i].tid, NULL);
        total += ws[i].n;
        errors += ws[i].errors;
        busy += ws[i].busy;
    }
    elapsed = now_s() - start;
    all = malloc((total ? total : 1) * sizeof(double));
    for (int i = 0; i < threads; i++)
        for (size_t j = 0; j < ws[i].n; j++)
            all[k++] = ws[i].lat[j];
    qsort(all, total, sizeof(double), cmp_double);
    printf("%s %.1f %.2f %.2f %zu %zu %zu\n", argv[1], (double)total / elapsed,
           total ? all[total / 2] : -1.0, total ? all[(size_t)((double)total * 0.99)] : -1.0,
           total, errors, busy);
    for (int i = 0; i < threads; i++)
        free(ws[i].lat);
    free(ws);
    free(all);
    curl_global_cleanup();
    return errors || !total ? 1 : 0;
}
