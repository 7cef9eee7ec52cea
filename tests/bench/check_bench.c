/* check_bench.c: the authz.rpc.Check figures of `make bench`
 * (scripts/bench.sh): round trips over NATS alone, no edge.
 *
 *   check_bench NATS_URL SAMPLES SEQ_SECONDS ASYNC_SECONDS IN_FLIGHT
 *
 * SAMPLES is a file of lines "user-id<TAB>access-query" (written by
 * scripts/authz_dataset.sql). The checks are sent in file order, wrapping
 * round at the end: first one at a time for SEQ_SECONDS, then, from where
 * that stopped, with IN_FLIGHT requests outstanding for ASYNC_SECONDS (each
 * reply sends the next request on its slot). Since authz caches answers for
 * a few seconds, a run that wraps round may be answered from the cache: the
 * last field says how many checks repeated an earlier one.
 *
 * Prints two lines, "<mode> <checks/s> <p50 ms> <p99 ms> <checks> <errors>
 * <allowed> <repeats>", mode seq then async. Any error (timeout, no
 * responder, an RpcReply with a non-zero code, a malformed reply) is counted
 * and makes the exit status 1, so the bench fails rather than report a broken
 * figure; 2 on bad usage or when NATS or the file cannot be used. */
#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.pb-c.h"
#include "envelope.pb-c.h"

#define SUBJECT "authz.rpc.Check"
#define TIMEOUT_MS 5000
#define MAX_SAMPLES 10000000 /* latencies kept per mode */
#define MAX_IN_FLIGHT 1024

struct request {
    uint8_t *data; /* a packed RpcRequest carrying a CheckRequest */
    int len;
};

struct slot {
    size_t sample;
    double sent;
};

/* One run's results; the async callback writes them under lock. */
struct run {
    double *lat; /* ms */
    size_t n, errors, allowed, cap;
};

struct async {
    pthread_mutex_t lock;
    pthread_cond_t done;
    natsConnection *nc;
    const struct request *reqs;
    size_t nreqs, next, sent_total;
    char inbox[128];
    struct slot slots[MAX_IN_FLIGHT];
    int outstanding;
    double until;
    struct run run;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Packs one sample line's check; returns 0 on success. */
static int pack_request(char *line, struct request *out)
{
    Envelope__RpcRequest rq = ENVELOPE__RPC_REQUEST__INIT;
    Authz__CheckRequest check = AUTHZ__CHECK_REQUEST__INIT;
    char *tab = strchr(line, '\t'), *query;
    uint8_t *payload;
    size_t plen;

    if (!tab)
        return -1;
    *tab = '\0';
    query = tab + 1;
    query[strcspn(query, "\r\n")] = '\0';
    check.user_id = line;
    check.n_access_queries = 1;
    check.access_queries = &query;
    plen = authz__check_request__get_packed_size(&check);
    payload = malloc(plen ? plen : 1);
    if (!payload)
        return -1;
    authz__check_request__pack(&check, payload);
    rq.request_id = "check-bench";
    rq.payload.data = payload;
    rq.payload.len = plen;
    out->len = (int)envelope__rpc_request__get_packed_size(&rq);
    out->data = malloc((size_t)out->len);
    if (out->data)
        envelope__rpc_request__pack(&rq, out->data);
    free(payload);
    return out->data ? 0 : -1;
}

/* Reads every sample of path into *out (caller frees each data, then the
 * array); returns how many, 0 on failure. */
static size_t load_samples(const char *path, struct request **out)
{
    FILE *f = fopen(path, "r");
    struct request *reqs = NULL;
    size_t n = 0, cap = 0;
    char line[1024];

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        if (n == cap) {
            struct request *more = realloc(reqs, (cap = cap ? cap * 2 : 4096) * sizeof *reqs);
            if (!more)
                break;
            reqs = more;
        }
        if (pack_request(line, &reqs[n]) == 0)
            n++;
    }
    fclose(f);
    *out = reqs;
    return n;
}

/* Records one reply (msg may be NULL: an error) taken lat_ms into r. */
static void record(struct run *r, natsMsg *msg, double lat_ms)
{
    Envelope__RpcReply *reply = NULL;
    Authz__CheckReply *check = NULL;

    if (msg)
        reply = envelope__rpc_reply__unpack(NULL, (size_t)natsMsg_GetDataLength(msg),
                                            (const uint8_t *)natsMsg_GetData(msg));
    if (reply && reply->code == 0)
        check = authz__check_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    if (!check) {
        if (r->errors++ == 0)
            fprintf(stderr, "check_bench: bad reply: %s\n",
                    !msg ? "no reply (timeout or no responders)" : !reply ? "not an RpcReply"
                    : reply->code ? reply->message : "not a CheckReply");
    } else {
        r->allowed += check->allow != 0;
        if (r->n < r->cap)
            r->lat[r->n] = lat_ms;
        r->n++;
    }
    authz__check_reply__free_unpacked(check, NULL);
    envelope__rpc_reply__free_unpacked(reply, NULL);
}

/* One check at a time from sample *next for seconds. */
static void run_sequential(natsConnection *nc, const struct request *reqs, size_t nreqs,
                           double seconds, size_t *next, struct run *r, double *elapsed)
{
    double start = now_s(), until = start + seconds, t;

    while ((t = now_s()) < until) {
        const struct request *q = &reqs[*next % nreqs];
        natsMsg *msg = NULL;
        natsStatus s = natsConnection_Request(&msg, nc, SUBJECT, q->data, q->len, TIMEOUT_MS);
        record(r, s == NATS_OK ? msg : NULL, (now_s() - t) * 1000);
        natsMsg_Destroy(msg);
        (*next)++;
    }
    *elapsed = now_s() - start;
}

/* Sends the next sample on slot i; a.lock held. */
static void send_on(struct async *a, int i)
{
    char reply[160];
    const struct request *q = &a->reqs[a->next % a->nreqs];

    snprintf(reply, sizeof reply, "%s.%d", a->inbox, i);
    a->slots[i].sample = a->next++;
    a->slots[i].sent = now_s();
    if (natsConnection_PublishRequest(a->nc, SUBJECT, reply, q->data, q->len) != NATS_OK) {
        a->run.errors++;
        a->outstanding--;
        return;
    }
    a->sent_total++;
}

/* A reply on slot <inbox>.<i>: record it, then send the next while time lasts. */
static void on_reply(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    struct async *a = closure;
    const char *dot = strrchr(natsMsg_GetSubject(msg), '.');
    int i = dot ? atoi(dot + 1) : -1;
    (void)nc;
    (void)sub;

    pthread_mutex_lock(&a->lock);
    if (i >= 0 && i < MAX_IN_FLIGHT && a->slots[i].sent > 0) {
        double t = now_s();
        record(&a->run, natsMsg_IsNoResponders(msg) ? NULL : msg, (t - a->slots[i].sent) * 1000);
        a->slots[i].sent = 0;
        if (t < a->until)
            send_on(a, i);
        else
            a->outstanding--;
        if (a->outstanding == 0)
            pthread_cond_signal(&a->done);
    }
    pthread_mutex_unlock(&a->lock);
    natsMsg_Destroy(msg);
}

/* in_flight requests outstanding from sample a->next for seconds; waits
 * for the last replies (TIMEOUT_MS at most). */
static int run_async(struct async *a, int in_flight, double seconds, double *elapsed)
{
    natsSubscription *sub = NULL;
    char subject[160];
    double start;
    struct timespec deadline;
    int lost;

    natsInbox *inbox = NULL;
    if (natsInbox_Create(&inbox) != NATS_OK)
        return -1;
    snprintf(a->inbox, sizeof a->inbox, "%s", (const char *)inbox);
    natsInbox_Destroy(inbox);
    snprintf(subject, sizeof subject, "%s.*", a->inbox);
    if (natsConnection_Subscribe(&sub, a->nc, subject, on_reply, a) != NATS_OK ||
        natsConnection_Flush(a->nc) != NATS_OK)
        return -1;
    natsSubscription_SetPendingLimits(sub, -1, -1);
    pthread_mutex_lock(&a->lock);
    start = now_s();
    a->until = start + seconds;
    a->outstanding = in_flight;
    for (int i = 0; i < in_flight; i++)
        send_on(a, i);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)seconds + TIMEOUT_MS / 1000 + 1;
    while (a->outstanding > 0)
        if (pthread_cond_timedwait(&a->done, &a->lock, &deadline) != 0)
            break;
    *elapsed = now_s() - start;
    lost = a->outstanding;
    a->run.errors += (size_t)lost;
    a->outstanding = 0; /* late replies are ignored from here on */
    for (int i = 0; i < in_flight; i++)
        a->slots[i].sent = 0;
    pthread_mutex_unlock(&a->lock);
    if (lost)
        fprintf(stderr, "check_bench: %d requests got no reply\n", lost);
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
    return 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static void print_run(const char *mode, struct run *r, double elapsed, size_t repeats)
{
    size_t kept = r->n < r->cap ? r->n : r->cap;
    double p50 = 0, p99 = 0;

    if (kept) {
        qsort(r->lat, kept, sizeof *r->lat, cmp_double);
        p50 = r->lat[(kept - 1) / 2];
        p99 = r->lat[(size_t)((double)(kept - 1) * 0.99)];
    }
    printf("%s %.1f %.3f %.3f %zu %zu %zu %zu\n", mode, elapsed > 0 ? (double)r->n / elapsed : 0,
           p50, p99, r->n, r->errors, r->allowed, repeats);
}

int main(int argc, char **argv)
{
    natsConnection *nc = NULL;
    natsOptions *opts = NULL;
    struct request *reqs = NULL;
    struct async a;
    struct run seq = {0};
    size_t nreqs, next = 0, before;
    double seq_s, async_s, elapsed = 0;
    int in_flight, rc = 0;

    if (argc != 6 || (seq_s = atof(argv[3])) <= 0 || (async_s = atof(argv[4])) <= 0 ||
        (in_flight = atoi(argv[5])) < 1 || in_flight > MAX_IN_FLIGHT) {
        fprintf(stderr, "usage: check_bench NATS_URL SAMPLES SEQ_SECONDS ASYNC_SECONDS IN_FLIGHT"
                        " (1..%d)\n", MAX_IN_FLIGHT);
        return 2;
    }
    nreqs = load_samples(argv[2], &reqs);
    if (nreqs == 0) {
        fprintf(stderr, "check_bench: no samples in %s\n", argv[2]);
        return 2;
    }
    if (natsOptions_Create(&opts) != NATS_OK || natsOptions_SetURL(opts, argv[1]) != NATS_OK ||
        natsOptions_SetSendAsap(opts, true) != NATS_OK ||
        natsConnection_Connect(&nc, opts) != NATS_OK) {
        nats_PrintLastErrorStack(stderr);
        return 2;
    }
    seq.cap = MAX_SAMPLES;
    seq.lat = malloc(seq.cap * sizeof *seq.lat);
    memset(&a, 0, sizeof a);
    a.run.cap = MAX_SAMPLES;
    a.run.lat = malloc(a.run.cap * sizeof *a.run.lat);
    if (!seq.lat || !a.run.lat) {
        fprintf(stderr, "check_bench: out of memory\n");
        return 2;
    }

    run_sequential(nc, reqs, nreqs, seq_s, &next, &seq, &elapsed);
    print_run("seq", &seq, elapsed, next > nreqs ? next - nreqs : 0);

    pthread_mutex_init(&a.lock, NULL);
    pthread_cond_init(&a.done, NULL);
    a.nc = nc;
    a.reqs = reqs;
    a.nreqs = nreqs;
    a.next = before = next;
    if (run_async(&a, in_flight, async_s, &elapsed) != 0) {
        nats_PrintLastErrorStack(stderr);
        return 2;
    }
    pthread_mutex_lock(&a.lock);
    print_run("async", &a.run, elapsed, a.next > nreqs ? a.next - (before > nreqs ? before : nreqs) : 0);
    rc = seq.errors || a.run.errors || seq.n == 0 || a.run.n == 0;
    pthread_mutex_unlock(&a.lock);

    natsConnection_Destroy(nc);
    natsOptions_Destroy(opts);
    for (size_t i = 0; i < nreqs; i++)
        free(reqs[i].data);
    free(reqs);
    free(seq.lat);
    free(a.run.lat);
    return rc;
}
