/* token_keys.c: the signing-key set of the edge and the thread that fetches
 * it from identity (token_keys.h). */
#include "token_keys.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_time.h"
#include "identity.pb-c.h"

struct token_keys {
    /* the set: loops read, the fetcher writes */
    pthread_rwlock_t lock;
    struct token_key keys[TOKEN_KEYS_MAX];
    size_t n;
    int loaded;
    /* the fetcher */
    pthread_mutex_t mu; /* guards sched; never held across a fetch */
    pthread_cond_t cond;
    struct token_keys_schedule sched;
    int quit;
    natsConnection *nc;
    volatile sig_atomic_t *stop;
    pthread_t thread;
    int running;
};

int64_t token_keys_schedule_wait(const struct token_keys_schedule *s, int64_t now_ms)
{
    int64_t due = s->next_ms;

    if (s->want && s->loaded && s->last_try_ms + TOKEN_KEYS_RETRY_MS < due)
        due = s->last_try_ms + TOKEN_KEYS_RETRY_MS;
    return due <= now_ms ? 0 : due - now_ms;
}

void token_keys_schedule_done(struct token_keys_schedule *s, int ok, int64_t now_ms)
{
    s->last_try_ms = now_ms;
    s->want = 0;
    if (ok)
        s->loaded = 1;
    s->next_ms = now_ms + (ok ? TOKEN_KEYS_REFRESH_MS : TOKEN_KEYS_RETRY_MS);
}

struct token_keys *token_keys_new(void)
{
    struct token_keys *k = cm_xcalloc(1, sizeof *k);
    pthread_rwlockattr_t ra;
    pthread_condattr_t ca;

    /* Writers first: a refresh must not wait behind a stream of readers. */
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&k->lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&k->mu, NULL);
    return k;
}

void token_keys_free(struct token_keys *k)
{
    if (!k)
        return;
    token_keys_stop(k);
    pthread_rwlock_destroy(&k->lock);
    pthread_cond_destroy(&k->cond);
    pthread_mutex_destroy(&k->mu);
    free(k);
}

enum token_key_lookup token_keys_lookup(struct token_keys *k, const char *kid,
                                        unsigned char out_pk[CM_TOKEN_PK_BYTES])
{
    enum token_key_lookup r = TOKEN_KEY_UNKNOWN;

    pthread_rwlock_rdlock(&k->lock);
    if (!k->loaded)
        r = TOKEN_KEYS_NOT_LOADED;
    for (size_t i = 0; r == TOKEN_KEY_UNKNOWN && i < k->n; i++)
        if (!strcmp(k->keys[i].kid, kid)) {
            memcpy(out_pk, k->keys[i].pk, CM_TOKEN_PK_BYTES);
            r = TOKEN_KEY_FOUND;
        }
    pthread_rwlock_unlock(&k->lock);
    return r;
}

void token_keys_replace(struct token_keys *k, const struct token_key *keys, size_t n)
{
    if (n > TOKEN_KEYS_MAX)
        n = TOKEN_KEYS_MAX;
    pthread_rwlock_wrlock(&k->lock);
    memcpy(k->keys, keys, n * sizeof *keys);
    k->n = n;
    k->loaded = 1;
    pthread_rwlock_unlock(&k->lock);
}

void token_keys_want_refresh(struct token_keys *k)
{
    pthread_mutex_lock(&k->mu);
    if (!k->sched.want) {
        k->sched.want = 1;
        pthread_cond_signal(&k->cond);
    }
    pthread_mutex_unlock(&k->mu);
}

int token_keys_refresh_wanted(struct token_keys *k)
{
    int want;

    pthread_mutex_lock(&k->mu);
    want = k->sched.want;
    pthread_mutex_unlock(&k->mu);
    return want;
}

int token_keys_decode(const uint8_t *payload, size_t len, struct token_key *keys)
{
    Identity__GetSigningKeysReply *r = identity__get_signing_keys_reply__unpack(NULL, len, payload);
    int n = 0;

    if (!r)
        return -1;
    for (size_t i = 0; i < r->n_keys && n < TOKEN_KEYS_MAX; i++) {
        const Identity__SigningKey *sk = r->keys[i];
        size_t kidlen = sk->kid ? strlen(sk->kid) : 0;
        if (kidlen == 0 || kidlen >= CM_TOKEN_KID_MAX ||
            sk->public_key.len != CM_TOKEN_PK_BYTES)
            continue;
        memcpy(keys[n].kid, sk->kid, kidlen + 1);
        memcpy(keys[n].pk, sk->public_key.data, CM_TOKEN_PK_BYTES);
        n++;
    }
    identity__get_signing_keys_reply__free_unpacked(r, NULL);
    return n;
}

/* One GetSigningKeys round trip; on success the set is replaced. *why gets
 * the reason of a failure (static). */
static int fetch(struct token_keys *k, const char **why)
{
    Identity__GetSigningKeysRequest in = IDENTITY__GET_SIGNING_KEYS_REQUEST__INIT;
    struct token_key keys[TOKEN_KEYS_MAX];
    Envelope__RpcReply *reply = NULL;
    uint8_t buf[16];
    size_t len = identity__get_signing_keys_request__pack(&in, buf);
    cm_err err;
    int n = -1;

    err = cm_nats_rpc(k->nc, TOKEN_KEYS_SUBJECT, NULL, NULL, buf, len, TOKEN_KEYS_RPC_TIMEOUT_MS,
                      &reply);
    if (err != CM_OK) {
        *why = cm_err_name(err);
        return 0;
    }
    err = cm_err_from_wire(reply->code);
    if (err == CM_OK)
        n = token_keys_decode(reply->payload.data, reply->payload.len, keys);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    if (err != CM_OK) {
        *why = cm_err_name(err);
        return 0;
    }
    if (n <= 0) {
        *why = n < 0 ? "malformed reply" : "no usable key in the reply";
        return 0;
    }
    token_keys_replace(k, keys, (size_t)n);
    return n;
}

/* Waits on the condition for at most ms (k->mu held). */
static void wait_ms(struct token_keys *k, int64_t ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&k->cond, &k->mu, &ts);
}

static void *run(void *arg)
{
    struct token_keys *k = arg;
    int failures = 0;

    pthread_mutex_lock(&k->mu);
    while (!k->quit && !*k->stop) {
        int64_t wait = token_keys_schedule_wait(&k->sched, cm_now_ms());
        const char *why = "";
        int n;

        if (wait > 0) {
            wait_ms(k, wait < 100 ? wait : 100); /* 100 ms: notice *stop */
            continue;
        }
        pthread_mutex_unlock(&k->mu);
        n = fetch(k, &why);
        if (n > 0 && (failures > 0 || !k->sched.loaded)) /* only this thread writes loaded */
            cm_info("signing keys loaded (%d keys, %d failed attempts before)", n, failures);
        else if (n > 0)
            cm_debug("signing keys refreshed (%d keys)", n);
        else if (failures++ == 0)
            cm_warn("cannot fetch signing keys: %s; retrying every %d ms", why,
                    TOKEN_KEYS_RETRY_MS);
        if (n > 0)
            failures = 0;
        pthread_mutex_lock(&k->mu);
        token_keys_schedule_done(&k->sched, n > 0, cm_now_ms());
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

cm_err token_keys_start(struct token_keys *k, natsConnection *nc, volatile sig_atomic_t *stop)
{
    k->nc = nc;
    k->stop = stop;
    k->quit = 0;
    if (pthread_create(&k->thread, NULL, run, k) != 0) {
        cm_error("cannot start the signing-key fetcher");
        return CM_EINTERNAL;
    }
    k->running = 1;
    return CM_OK;
}

void token_keys_stop(struct token_keys *k)
{
    if (!k->running)
        return;
    pthread_mutex_lock(&k->mu);
    k->quit = 1;
    pthread_cond_signal(&k->cond);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    k->running = 0;
}
