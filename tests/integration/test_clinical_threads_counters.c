/* test_clinical_threads_counters.c: user/counters stay exact while
 * messages are posted and read at the same time (issue 11): four API-client
 * posters and one person posting with their token, while another person
 * reads the thread over and over. Afterwards each count is what the
 * readings and postings imply, to the message. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "it_clinical.h"

#define POSTERS 4
#define POSTS_EACH 10
#define PERSON_POSTS 10

TestSuite(clinical_threads_counters, .timeout = 300);

struct job {
    const struct ic_client *c;
    const char *token; /* a person's, or NULL: the client */
    const char *thread;
    int posts; /* posts to make; 0: read until *stop */
    volatile int *stop;
    int ok, failed; /* answers 200 / other */
    int reads;
    int last_max_seq; /* the highest seq shown by the last reading */
};

/* One request without Criterion asserts (this runs on other threads). */
static long call(const struct job *j, const char *method, const char *path, const char *body,
                 json_t **doc)
{
    char pair[160], b64[256], auth[4200];
    const char *hs[3] = {auth, NULL, NULL};
    struct it_req rq = {0};
    struct it_resp r;
    long st;

    if (j->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", j->token);
        hs[1] = "Content-Type: application/json";
    } else {
        snprintf(pair, sizeof pair, "%s:%s", j->c->user, j->c->key);
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pair, strlen(pair),
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(auth, sizeof auth, "Authorization: Basic %s", b64);
        hs[1] = "Content-Type: application/x-www-form-urlencoded";
    }
    rq.method = method;
    rq.path = path;
    rq.headers = hs;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.timeout_ms = 60000;
    if (it_http(&rq, &r) != 0)
        return 0;
    st = r.status;
    if (doc)
        *doc = json_loads(r.body, 0, NULL);
    it_resp_release(&r);
    return st;
}

static void *poster(void *arg)
{
    struct job *j = arg;
    char body[256];

    for (int i = 0; i < j->posts; i++) {
        if (j->token)
            snprintf(body, sizeof body, "{\"thread_id\":\"%s\",\"message\":\"p%d\"}", j->thread, i);
        else
            snprintf(body, sizeof body, "thread_id=%s&message=c%d", j->thread, i);
        if (call(j, "POST", "/api/2014-08-01/message", body, NULL) == 200)
            j->ok++;
        else
            j->failed++;
    }
    return NULL;
}

/* Reads the thread as the person until *stop, then once more. */
static void *reader(void *arg)
{
    struct job *j = arg;
    char path[160];

    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", j->thread);
    for (int last = 0; !last;) {
        json_t *doc = NULL, *msgs;
        int max = 0;

        last = *j->stop;
        if (call(j, "GET", path, NULL, &doc) != 200) {
            j->failed++;
            json_decref(doc);
            continue;
        }
        msgs = json_object_get(json_object_get(doc, "thread"), "messages");
        for (size_t i = 0; i < json_array_size(msgs); i++) {
            int seq = (int)json_integer_value(json_object_get(json_array_get(msgs, i), "seq"));
            if (seq > max)
                max = seq;
        }
        j->last_max_seq = max;
        j->reads++;
        json_decref(doc);
        if (last)
            break;
    }
    return NULL;
}

static long unread_of(const struct ic_client *c, const char *username, long *unseen)
{
    char path[256];
    json_t *doc;
    long n;

    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s", username);
    cr_assert(eq(long, ic_api(c, "GET", path, NULL, NULL, &doc), 200));
    n = ic_int2(doc, "unread", "msg");
    *unseen = ic_int2(doc, "unseen", "msg");
    json_decref(doc);
    return n;
}

Test(clinical_threads_counters, exact_under_concurrent_posting_and_reading)
{
    struct ic_client c;
    struct ut_user a, b;
    char ea[160], eb[160], form[600], thread[64], *v;
    const char *params[2];
    struct job posters[POSTERS + 1], rd;
    pthread_t tp[POSTERS + 1], tr;
    volatile int stop = 0;
    long unread, unseen, total = 1 + POSTERS * POSTS_EACH + PERSON_POSTS;
    json_t *doc;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    snprintf(form, sizeof form, "subject=busy&message=start&recipients=%s&recipients=%s", ea, eb);
    cr_assert(eq(long, ic_api(&c, "POST", "/api/2014-08-01/thread/create", NULL, form, &doc), 200));
    snprintf(thread, sizeof thread, "%s", ic_str(doc, "thread_id"));
    json_decref(doc);

    memset(posters, 0, sizeof posters);
    memset(&rd, 0, sizeof rd);
    for (int i = 0; i <= POSTERS; i++) {
        posters[i].c = &c;
        posters[i].thread = thread;
        posters[i].posts = i < POSTERS ? POSTS_EACH : PERSON_POSTS;
        posters[i].token = i < POSTERS ? NULL : b.token; /* b posts with their token */
        cr_assert(eq(int, pthread_create(&tp[i], NULL, poster, &posters[i]), 0));
    }
    rd.c = &c;
    rd.thread = thread;
    rd.token = a.token;
    rd.stop = &stop;
    cr_assert(eq(int, pthread_create(&tr, NULL, reader, &rd), 0));
    for (int i = 0; i <= POSTERS; i++) {
        pthread_join(tp[i], NULL);
        cr_assert(eq(int, posters[i].failed, 0), "poster %d: %d failed", i, posters[i].failed);
        cr_assert(eq(int, posters[i].ok, posters[i].posts));
    }
    /* one posting after the posters, which the reader may or may not see */
    stop = 1;
    pthread_join(tr, NULL);
    cr_assert(eq(int, rd.failed, 0));
    cr_assert(rd.reads >= 2, "the reader read while posts went on (%d)", rd.reads);

    /* a: everything up to the last reading's highest seq is read, nothing after */
    unread = unread_of(&c, a.username, &unseen);
    cr_assert(eq(long, unread, total - rd.last_max_seq), "a read up to seq %d of %ld",
              rd.last_max_seq, total);
    cr_assert(eq(long, unseen, unread ? 1 : 0));
    /* b never read: every message but their own */
    unread = unread_of(&c, b.username, &unseen);
    cr_assert(eq(long, unread, total - PERSON_POSTS));
    cr_assert(eq(long, unseen, 1));

    /* seqs are 1..total without a gap or a repeat */
    pg = it_pg();
    params[0] = thread;
    v = it_pg_value(pg,
                    "SELECT count(DISTINCT seq) || ':' || min(seq) || ':' || max(seq) "
                    "FROM messaging.clinical_messages WHERE thread_id = $1::uuid",
                    1, params);
    {
        char want[64];
        snprintf(want, sizeof want, "%ld:1:%ld", total, total);
        cr_assert(eq(str, v, want));
    }
    free(v);
    PQfinish(pg);

    /* a last reading by a clears a's count */
    {
        char path[160];
        snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
        cr_assert(eq(long, ic_token(a.token, "GET", path, NULL, &doc), 200));
        cr_assert(eq(sz,
                     json_array_size(json_object_get(json_object_get(doc, "thread"), "messages")),
                     (size_t)total));
        json_decref(doc);
    }
    unread = unread_of(&c, a.username, &unseen);
    cr_assert(eq(long, unread, 0));
    cr_assert(eq(long, unseen, 0));
}

/* --- many threads at once: the kept counters (migration 006) --- */

#define CREATORS 4
#define CREATES_EACH 5

struct creator {
    const struct ic_client *c;
    const char *ea, *eb;
    int first; /* index of this creator's first thread */
    char (*threads)[64];
    int failed;
};

/* Creates CREATES_EACH threads to a and b, naming them in either order, so
 * that concurrent transactions reach the two users' counters both ways. */
static void *creator(void *arg)
{
    struct creator *k = arg;
    struct job j = {.c = k->c};
    char form[600];

    for (int i = 0; i < CREATES_EACH; i++) {
        json_t *doc = NULL;
        int n = k->first + i;
        snprintf(form, sizeof form, "subject=t%d&message=m%d&recipients=%s&recipients=%s", n, n,
                 n % 2 ? k->ea : k->eb, n % 2 ? k->eb : k->ea);
        if (call(&j, "POST", "/api/2014-08-01/thread/create", form, &doc) != 200 ||
            !json_is_string(json_object_get(doc, "thread_id")))
            k->failed++;
        else
            snprintf(k->threads[n], 64, "%s", json_string_value(json_object_get(doc, "thread_id")));
        json_decref(doc);
    }
    return NULL;
}

/* The stored row of a user's msg counters, "unread:unseen". Caller frees. */
static char *kept_counters(const char *user_id)
{
    PGconn *pg = it_pg();
    const char *params[1] = {user_id};
    char *v = it_pg_value(pg,
                          "SELECT unread || ':' || unseen FROM messaging.clinical_counters "
                          "WHERE user_id = $1 AND kind = 'msg'",
                          1, params);
    PQfinish(pg);
    return v;
}

Test(clinical_threads_counters, kept_exact_across_concurrent_thread_creates_and_reads)
{
    struct ic_client c;
    struct ut_user a, b;
    char ea[160], eb[160], threads[CREATORS * CREATES_EACH][64], *v;
    struct creator k[CREATORS];
    pthread_t t[CREATORS];
    long unread, unseen;
    json_t *doc;

    IT_REQUIRE_STACK();
    ic_world(&c, "[\"admin\"]");
    ic_person(&c, &a, ea);
    ic_person(&c, &b, eb);
    memset(threads, 0, sizeof threads);
    for (int i = 0; i < CREATORS; i++) {
        k[i] = (struct creator){.c = &c, .ea = ea, .eb = eb, .first = i * CREATES_EACH,
                                .threads = threads};
        cr_assert(eq(int, pthread_create(&t[i], NULL, creator, &k[i]), 0));
    }
    for (int i = 0; i < CREATORS; i++) {
        pthread_join(t[i], NULL);
        cr_assert(eq(int, k[i].failed, 0), "creator %d: %d failed", i, k[i].failed);
    }
    unread = unread_of(&c, a.username, &unseen);
    cr_assert(eq(long, unread, CREATORS * CREATES_EACH));
    cr_assert(eq(long, unseen, CREATORS * CREATES_EACH));

    /* a reads five threads with their token, one of them twice */
    for (int i = 0; i < 6; i++) {
        char path[160];
        snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", threads[i % 5]);
        cr_assert(eq(long, ic_token(a.token, "GET", path, NULL, &doc), 200));
        json_decref(doc);
    }
    unread = unread_of(&c, a.username, &unseen);
    cr_assert(eq(long, unread, CREATORS * CREATES_EACH - 5));
    cr_assert(eq(long, unseen, CREATORS * CREATES_EACH - 5));
    /* the same read by the account id; b is untouched */
    {
        char path[160];
        snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s", a.id);
        cr_assert(eq(long, ic_api(&c, "GET", path, NULL, NULL, &doc), 200));
        cr_assert(eq(long, ic_int2(doc, "unread", "msg"), CREATORS * CREATES_EACH - 5));
        json_decref(doc);
    }
    unread = unread_of(&c, b.username, &unseen);
    cr_assert(eq(long, unread, CREATORS * CREATES_EACH));
    cr_assert(eq(long, unseen, CREATORS * CREATES_EACH));

    /* the answers are the kept rows, not a count at each request */
    v = kept_counters(a.id);
    cr_assert(eq(str, v, "15:15"));
    free(v);
    v = kept_counters(b.id);
    cr_assert(eq(str, v, "20:20"));
    free(v);
}
