/* password_hash.c: argon2id hashing and verification (password_hash.h).
 * The argon2id computation itself runs on a small set of hasher threads at
 * PWHASH_NICE (cm_pool.h; at 19 SCHED_IDLE), while the caller (a thread of
 * the daemon's password pool, at normal priority) waits for it: only the
 * pure computation is low priority, never code holding a lock that a
 * request worker may want (metrics, logs, Postgres), so a preempted hash
 * cannot hold up a read. */
#include "password_hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pool.h"

#define HASHERS_MAX 64

/* The hasher threads and the dummy hash an unknown user is checked
 * against; part of identity's state (identity_state.h). */
struct pw_hashers {
    struct cm_pool *pool;
    void *ctxs[HASHERS_MAX];
    pthread_mutex_t dummy_lock;
    int dummy_made;
    char dummy_hash[PW_HASH_MAX]; /* "" when it could not be made */
};

/* One argon2id computation handed to a hasher; the caller waits on done. */
struct hash_job {
    const struct cm_config *cfg;
    const char *password;
    const char *hash; /* verify against it; NULL: make a new hash into out */
    char *out;
    int rc; /* libsodium's: 0 or -1 */
    int done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void compute(struct hash_job *j)
{
    size_t len = strlen(j->password);

    if (j->hash)
        j->rc = crypto_pwhash_str_verify(j->hash, j->password, len);
    else
        j->rc =
            crypto_pwhash_str(j->out, j->password, len, (unsigned long long)j->cfg->pwhash_opslimit,
                              (size_t)j->cfg->pwhash_memlimit_kib * 1024);
}

static void hasher_run(void *ctx, void *arg)
{
    struct hash_job *j = arg;

    (void)ctx;
    compute(j);
    pthread_mutex_lock(&j->mu);
    j->done = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

cm_err pw_hashers_new(const struct cm_config *cfg, struct pw_hashers **out)
{
    struct pw_hashers *h = cm_xcalloc(1, sizeof *h);
    struct cm_pool_def def = {0};
    int n = cfg->pwhash_threads;
    cm_err err;

    pthread_mutex_init(&h->dummy_lock, NULL);
    def.nthreads = n < 1 ? 1 : n > HASHERS_MAX ? HASHERS_MAX : n;
    def.queue_cap = 4 * HASHERS_MAX; /* callers are bounded by the daemon's pool */
    def.nice = cfg->pwhash_nice;
    def.ctxs = h->ctxs;
    def.run = hasher_run;
    err = cm_pool_start(&def, &h->pool);
    if (err != CM_OK) {
        pw_hashers_free(h);
        return err;
    }
    *out = h;
    return CM_OK;
}

void pw_hashers_free(struct pw_hashers *h)
{
    if (!h)
        return;
    cm_pool_stop(h->pool);
    pthread_mutex_destroy(&h->dummy_lock);
    free(h);
}

/* Runs j on a hasher and waits; on the caller's thread when there are no
 * hashers (at start) or none takes it. */
static void run_job(struct pw_hashers *hs, struct hash_job *j)
{
    struct cm_pool *h = hs ? hs->pool : NULL;

    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    j->done = 0;
    if (!h || cm_pool_submit(h, j) != CM_OK) {
        compute(j);
    } else {
        pthread_mutex_lock(&j->mu);
        while (!j->done)
            pthread_cond_wait(&j->cv, &j->mu);
        pthread_mutex_unlock(&j->mu);
    }
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
}

cm_err pw_hash(struct pw_hashers *h, const struct cm_config *cfg, const char *password,
               char out[PW_HASH_MAX])
{
    struct hash_job j = {.cfg = cfg, .password = password, .out = out};

    run_job(h, &j);
    return j.rc == 0 ? CM_OK : CM_ENOMEM;
}

/* h's dummy hash, made at the first call (borrowed from h; "" when it
 * could not be made). */
static const char *dummy(struct pw_hashers *h, const struct cm_config *cfg)
{
    pthread_mutex_lock(&h->dummy_lock);
    if (!h->dummy_made) {
        if (pw_hash(h, cfg, "not a password of anybody", h->dummy_hash) != CM_OK)
            h->dummy_hash[0] = '\0';
        h->dummy_made = 1;
    }
    pthread_mutex_unlock(&h->dummy_lock);
    return h->dummy_hash;
}

/* 1 when password matches hash (on a hasher). */
static int verify(struct pw_hashers *h, const struct cm_config *cfg, const char *hash,
                  const char *password)
{
    struct hash_job j = {.cfg = cfg, .password = password, .hash = hash};

    run_job(h, &j);
    return j.rc == 0;
}

cm_err pw_verify(struct pw_hashers *h, const struct cm_config *cfg, const char *hash,
                 const char *password)
{
    if (!hash || !hash[0]) {
        const char *d = h ? dummy(h, cfg) : "";
        if (d[0])
            (void)verify(h, cfg, d, password); /* same answer either way: only the time matters */
        return CM_EUNAUTH;
    }
    return verify(h, cfg, hash, password) ? CM_OK : CM_EUNAUTH;
}
