/* password_hash.c: argon2id hashing and verification (password_hash.h).
 * The argon2id computation itself runs on a small set of hasher threads at
 * PWHASH_NICE (cm_pool.h; at 19 SCHED_IDLE), while the caller (a thread of
 * the daemon's password pool, at normal priority) waits for it: only the
 * pure computation is low priority, never code holding a lock that a
 * request worker may want (metrics, logs, Postgres), so a preempted hash
 * cannot hold up a read. */
#include "password_hash.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "cm_pool.h"

#define HASHERS_MAX 64

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PW_HASH_MAX];
static const struct cm_config *dummy_cfg;

/* The hashers: set once serving starts (pw_hashers_start), before any
 * request, and cleared after the last one (pw_hashers_stop). */
static _Atomic(struct cm_pool *) hashers;

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

cm_err pw_hashers_start(const struct cm_config *cfg)
{
    static void *ctxs[HASHERS_MAX];
    struct cm_pool_def def = {0};
    struct cm_pool *p = NULL;
    int n = cfg->pwhash_threads;
    cm_err err;

    def.nthreads = n < 1 ? 1 : n > HASHERS_MAX ? HASHERS_MAX : n;
    def.queue_cap = 4 * HASHERS_MAX; /* callers are bounded by the daemon's pool */
    def.nice = cfg->pwhash_nice;
    def.ctxs = ctxs;
    def.run = hasher_run;
    err = cm_pool_start(&def, &p);
    if (err == CM_OK)
        atomic_store(&hashers, p);
    return err;
}

void pw_hashers_stop(void)
{
    cm_pool_stop(atomic_exchange(&hashers, NULL));
}

/* Runs j on a hasher and waits; on the caller's thread when there are no
 * hashers (at start) or none takes it. */
static void run_job(struct hash_job *j)
{
    struct cm_pool *h = atomic_load(&hashers);

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

cm_err pw_hash(const struct cm_config *cfg, const char *password, char out[PW_HASH_MAX])
{
    struct hash_job j = {.cfg = cfg, .password = password, .out = out};

    run_job(&j);
    return j.rc == 0 ? CM_OK : CM_ENOMEM;
}

static void make_dummy(void)
{
    if (pw_hash(dummy_cfg, "not a password of anybody", dummy_hash) != CM_OK)
        dummy_hash[0] = '\0';
}

/* 1 when password matches hash (on a hasher). */
static int verify(const struct cm_config *cfg, const char *hash, const char *password)
{
    struct hash_job j = {.cfg = cfg, .password = password, .hash = hash};

    run_job(&j);
    return j.rc == 0;
}

cm_err pw_verify(const struct cm_config *cfg, const char *hash, const char *password)
{
    if (!hash || !hash[0]) {
        dummy_cfg = cfg;
        pthread_once(&dummy_once, make_dummy);
        if (dummy_hash[0])
            (void)verify(cfg, dummy_hash,
                         password); /* same answer either way: only the time matters */
        return CM_EUNAUTH;
    }
    return verify(cfg, hash, password) ? CM_OK : CM_EUNAUTH;
}
