/* revocations.c: the set of revoked sessions and users (an open-addressing
 * hash table under a read-write lock, rebuilt without its expired entries
 * when it fills) and the JetStream follower that feeds it (revocations.h). */
#include "revocations.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "identity.pb-c.h"

#define KEY_MAX (REVOCATIONS_ID_MAX + 3) /* "s:" or "u:", the id, NUL */
#define MIN_SLOTS 64
#define FEEDS 2 /* session revocations, API client key changes */

struct revocations;
struct feed;

/* What a subscription's callback is given. */
struct feed_ctx {
    struct revocations *r;
    const struct feed *feed;
};

struct rv_entry {
    char key[KEY_MAX]; /* "" : empty slot */
    int64_t at_s;      /* user: tokens with iat <= at_s are refused (0: none) */
    int64_t min_gen;   /* user: tokens with gen < min_gen are refused (0: none) */
    int64_t expires_s; /* dropped at the next rebuild once past */
};

struct revocations {
    pthread_rwlock_t lock;
    struct rv_entry *slots; /* cap is a power of two */
    size_t cap;
    atomic_size_t used;     /* slots in use, read without the lock */
    int64_t keep_s;
    /* the follower */
    natsConnection *nc;
    jsCtx *js;
    natsSubscription *subs[FEEDS];   /* one ordered consumer per feed */
    struct feed_ctx ctx[FEEDS];
    uint64_t reconnects_at_sub; /* the connection's reconnect count when they were made */
    /* the replay of the session feed at start: the stream sequence of the
     * last revocation in the window when it was subscribed (0: none), the
     * highest one delivered since, and whether they met once (sticky) */
    atomic_uint_fast64_t replay_until, replay_seen;
    atomic_int replay_subscribed, caught_up;
    volatile sig_atomic_t *stop;
    atomic_int quit, following;
    pthread_t thread;
    int running;
};

static uint64_t hash_of(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a: keys come from identity, not from callers */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Writes "<kind>:<id>" into key; -1 when id is empty or too long. */
static int make_key(char key[KEY_MAX], char kind, const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > REVOCATIONS_ID_MAX)
        return -1;
    key[0] = kind;
    key[1] = ':';
    memcpy(key + 2, id, n + 1);
    return 0;
}

/* Slot of key, or the empty slot where it would go. Lock held. */
static struct rv_entry *probe(struct rv_entry *slots, size_t cap, const char *key)
{
    size_t i = (size_t)hash_of(key) & (cap - 1);
    while (slots[i].key[0] && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* Moves the live entries into a table with room for them four times over.
 * Write lock held. */
static void rebuild(struct revocations *r, int64_t now_s)
{
    size_t live = 0, cap = MIN_SLOTS;
    struct rv_entry *slots;

    for (size_t i = 0; i < r->cap; i++)
        live += r->slots[i].key[0] && r->slots[i].expires_s > now_s;
    while (cap < live * 4)
        cap *= 2;
    slots = cm_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < r->cap; i++)
        if (r->slots[i].key[0] && r->slots[i].expires_s > now_s)
            *probe(slots, cap, r->slots[i].key) = r->slots[i];
    free(r->slots);
    r->slots = slots;
    r->cap = cap;
    atomic_store(&r->used, live);
}

struct revocations *revocations_new(int64_t keep_s)
{
    struct revocations *r = cm_xcalloc(1, sizeof *r);
    pthread_rwlockattr_t ra;

    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&r->lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    r->keep_s = keep_s;
    atomic_store(&r->caught_up, 1); /* nothing to wait for until revocations_start */
    r->cap = MIN_SLOTS;
    r->slots = cm_xcalloc(r->cap, sizeof *r->slots);
    return r;
}

void revocations_free(struct revocations *r)
{
    if (!r)
        return;
    revocations_stop(r);
    pthread_rwlock_destroy(&r->lock);
    free(r->slots);
    free(r);
}

/* Records key revoked at at_s (unix s; kept keep_s from then) with time
 * cut cut_s and generation cut min_gen, each 0 for none (the later time and
 * the higher generation win). */
static void add_entry(struct revocations *r, const char key[KEY_MAX], int64_t at_s, int64_t cut_s,
                      int64_t min_gen, int64_t now_s)
{
    struct rv_entry *e;
    int64_t expires = at_s + r->keep_s;

    if (expires <= now_s)
        return; /* every token it could refuse has expired */
    pthread_rwlock_wrlock(&r->lock);
    if ((atomic_load(&r->used) + 1) * 2 > r->cap)
        rebuild(r, now_s);
    e = probe(r->slots, r->cap, key);
    if (!e->key[0]) {
        memcpy(e->key, key, KEY_MAX);
        e->at_s = cut_s;
        e->min_gen = min_gen;
        e->expires_s = expires;
        atomic_fetch_add(&r->used, 1);
    } else {
        if (cut_s > e->at_s)
            e->at_s = cut_s;
        if (min_gen > e->min_gen)
            e->min_gen = min_gen;
        if (expires > e->expires_s)
            e->expires_s = expires;
    }
    pthread_rwlock_unlock(&r->lock);
}

/* Records key at at_s (the later time wins). */
static void add_key(struct revocations *r, const char key[KEY_MAX], int64_t at_s, int64_t now_s)
{
    add_entry(r, key, at_s, at_s, 0, now_s);
}

void revocations_add_user_gen(struct revocations *r, const char *user_id, int64_t min_gen,
                              int64_t at_s, int64_t now_s)
{
    char key[KEY_MAX];

    if (min_gen > 0 && make_key(key, 'u', user_id) == 0)
        add_entry(r, key, at_s, 0, min_gen, now_s);
}

void revocations_add(struct revocations *r, const char *session_id, const char *user_id,
                     int64_t at_s, int64_t now_s)
{
    char key[KEY_MAX];

    if (session_id && session_id[0] ? make_key(key, 's', session_id) : make_key(key, 'u', user_id))
        return;
    add_key(r, key, at_s, now_s);
}

void revocations_add_api_client(struct revocations *r, const char *client_id, int64_t at_s,
                                int64_t now_s)
{
    char key[KEY_MAX];

    if (make_key(key, 'k', client_id) == 0)
        add_key(r, key, at_s, now_s);
}

int revocations_api_client_stale(struct revocations *r, const char *client_id, int64_t cached_s,
                                 int64_t now_s)
{
    char key[KEY_MAX];
    const struct rv_entry *e;
    int stale;

    if (atomic_load(&r->used) == 0 || make_key(key, 'k', client_id) != 0)
        return 0;
    pthread_rwlock_rdlock(&r->lock);
    e = probe(r->slots, r->cap, key);
    stale = e->key[0] && e->expires_s > now_s && e->at_s >= cached_s;
    pthread_rwlock_unlock(&r->lock);
    return stale;
}

int revocations_refuses(struct revocations *r, const char *session_id, const char *user_id,
                        int64_t iat, int64_t gen, int64_t now_s)
{
    char skey[KEY_MAX], ukey[KEY_MAX];
    int has_s = make_key(skey, 's', session_id) == 0, has_u = make_key(ukey, 'u', user_id) == 0;
    const struct rv_entry *e;
    int refused = 0;

    if (atomic_load(&r->used) == 0)
        return 0;
    pthread_rwlock_rdlock(&r->lock);
    if (has_s) {
        e = probe(r->slots, r->cap, skey);
        refused = e->key[0] && e->expires_s > now_s;
    }
    if (!refused && has_u) {
        e = probe(r->slots, r->cap, ukey);
        refused = e->key[0] && e->expires_s > now_s &&
                  ((e->at_s > 0 && iat <= e->at_s) || gen < e->min_gen);
    }
    pthread_rwlock_unlock(&r->lock);
    return refused;
}

size_t revocations_count(struct revocations *r)
{
    return atomic_load(&r->used);
}

/* Unix seconds of an RFC 3339 UTC time ("2024-05-01T12:00:00.000000Z"),
 * 0 when it is not one. */
static int64_t parse_utc(const char *s)
{
    struct tm tm = {0};
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    return end ? (int64_t)timegm(&tm) : 0;
}

cm_err revocations_apply(struct revocations *r, const uint8_t *data, size_t len, int64_t now_s)
{
    Identity__SessionRevoked *ev = identity__session_revoked__unpack(NULL, len, data);
    int64_t at;
    cm_err err = CM_OK;

    if (!ev)
        return CM_EINVAL;
    if (!ev->session_id[0] && !ev->user_id[0]) {
        err = CM_EINVAL;
    } else {
        at = ev->revoked_before > 0 ? ev->revoked_before : parse_utc(ev->occurred_at);
        if (at <= 0)
            at = now_s;
        if (!ev->session_id[0] && ev->min_token_gen > 0)
            revocations_add_user_gen(r, ev->user_id, ev->min_token_gen, at, now_s);
        else
            revocations_add(r, ev->session_id, ev->user_id, at, now_s);
        cm_debug("revocation received (%s, %s)", ev->session_id[0] ? "session" : "user",
                 ev->reason);
    }
    identity__session_revoked__free_unpacked(ev, NULL);
    return err;
}

cm_err revocations_apply_api_client(struct revocations *r, const uint8_t *data, size_t len,
                                    int64_t now_s)
{
    Identity__ApiClientChanged *ev = identity__api_client_changed__unpack(NULL, len, data);
    int64_t at;

    if (!ev)
        return CM_EINVAL;
    if (!strcmp(ev->change, "key_rotated") || !strcmp(ev->change, "revoked")) {
        at = parse_utc(ev->occurred_at);
        revocations_add_api_client(r, ev->client_id, at > 0 ? at : now_s, now_s);
        cm_debug("api client key change received (%s)", ev->change);
    }
    identity__api_client_changed__free_unpacked(ev, NULL);
    return CM_OK;
}

/* --- the follower --- */

/* What the follower follows: a subject of the EVENTS stream and how one of
 * its events is applied. */
static const struct feed {
    const char *subject;
    cm_err (*apply)(struct revocations *r, const uint8_t *data, size_t len, int64_t now_s);
} feeds[FEEDS] = {
    {REVOCATIONS_SUBJECT, revocations_apply},
    {REVOCATIONS_API_CLIENT_SUBJECT, revocations_apply_api_client},
};

/* nats.c delivery thread: one event. Ordered consumers take no acks. */
static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    const struct feed_ctx *c = closure;
    jsMsgMetaData *meta = NULL;

    (void)nc;
    (void)sub;
    if (c->feed->apply(c->r, (const uint8_t *)natsMsg_GetData(msg),
                       (size_t)natsMsg_GetDataLength(msg), (int64_t)time(NULL)) != CM_OK)
        cm_warn("malformed %s event ignored", c->feed->subject);
    /* one delivery thread per subscription: the only writer of replay_seen */
    if (c->feed == &feeds[0] && natsMsg_GetMetaData(&meta, msg) == NATS_OK &&
        meta->Sequence.Stream > atomic_load(&c->r->replay_seen))
        atomic_store(&c->r->replay_seen, meta->Sequence.Stream);
    jsMsgMetaData_Destroy(meta);
    natsMsg_Destroy(msg);
}

/* Before following the session feed from start_ns (unix ns): the stream
 * sequence of the last revocation a replay from there must deliver, or 0
 * when there is none. A failure other than "no such message" is returned. */
static natsStatus replay_target(struct revocations *r, int64_t start_ns, uint64_t *until)
{
    natsMsg *last = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetLastMsg(&last, r->js, CM_OUTBOX_STREAM, feeds[0].subject, NULL, &jerr);

    *until = 0;
    if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr)
        return NATS_OK;
    if (s == NATS_OK && natsMsg_GetTime(last) >= start_ns)
        *until = natsMsg_GetSequence(last);
    natsMsg_Destroy(last);
    return s;
}

/* How often nc has reconnected (0 when unknown). */
static uint64_t reconnects_of(natsConnection *nc)
{
    natsStatistics *st = NULL;
    uint64_t n = 0;

    if (natsStatistics_Create(&st) == NATS_OK && natsConnection_GetStats(nc, st) == NATS_OK)
        natsStatistics_GetCounts(st, NULL, NULL, NULL, NULL, &n);
    natsStatistics_Destroy(st);
    return n;
}

/* One attempt to follow feed i from keep_s seconds ago. */
static natsStatus subscribe(struct revocations *r, int i)
{
    jsSubOptions so;
    jsErrCode jerr = 0;
    natsStatus s = NATS_OK;

    if (!r->js)
        s = natsConnection_JetStream(&r->js, r->nc, NULL);
    if (s != NATS_OK)
        return s;
    jsSubOptions_Init(&so);
    so.Stream = CM_OUTBOX_STREAM;
    so.Ordered = true;
    so.Config.DeliverPolicy = js_DeliverByStartTime;
    so.Config.OptStartTime = ((int64_t)time(NULL) - r->keep_s) * 1000000000LL;
    r->ctx[i].r = r;
    r->ctx[i].feed = &feeds[i];
    if (i == 0 && !atomic_load(&r->caught_up)) {
        uint64_t until = 0;
        s = replay_target(r, so.Config.OptStartTime, &until);
        if (s != NATS_OK)
            return s;
        atomic_store(&r->replay_until, until);
    }
    s = js_Subscribe(&r->subs[i], r->js, feeds[i].subject, on_msg, &r->ctx[i], NULL, &so, &jerr);
    if (s == NATS_OK && i == 0)
        atomic_store(&r->replay_subscribed, 1);
    return s;
}

int revocations_caught_up(struct revocations *r)
{
    if (atomic_load(&r->caught_up))
        return 1;
    if (!atomic_load(&r->replay_subscribed) ||
        atomic_load(&r->replay_seen) < atomic_load(&r->replay_until))
        return 0;
    atomic_store(&r->caught_up, 1);
    cm_info("revocations replayed: bearer tokens are checked from now on");
    return 1;
}

/* Ends feed i's subscription (unsubscribing drops its consumer, if the
 * server still has it). */
static void drop(struct revocations *r, int i)
{
    natsSubscription_Unsubscribe(r->subs[i]);
    natsSubscription_Destroy(r->subs[i]);
    r->subs[i] = NULL;
}

static void *run(void *arg)
{
    struct revocations *r = arg;
    int failures[FEEDS] = {0};

    while (!atomic_load(&r->quit) && !*r->stop) {
        int following = 0;
        /* After a reconnect nats.c keeps an ordered consumer's subscription
         * valid, but a restarted server may have lost the consumer: then it
         * only reports missed heartbeats and nothing arrives. Following
         * afresh replays the window, and applying an event twice is
         * harmless. */
        if (cm_nats_connected(r->nc) && reconnects_of(r->nc) != r->reconnects_at_sub) {
            for (int i = 0; i < FEEDS; i++)
                if (r->subs[i]) {
                    cm_info("nats reconnected: following %s afresh", feeds[i].subject);
                    drop(r, i);
                }
        }
        for (int i = 0; i < FEEDS; i++) {
            natsStatus s;
            if (r->subs[i] && natsSubscription_IsValid(r->subs[i])) {
                following++;
                continue;
            }
            if (r->subs[i]) {
                cm_warn("subscription to %s lost, subscribing again", feeds[i].subject);
                drop(r, i);
            }
            r->reconnects_at_sub = reconnects_of(r->nc);
            s = subscribe(r, i);
            if (s == NATS_OK) {
                cm_info("following %s (from %lld s back)", feeds[i].subject, (long long)r->keep_s);
                following++;
                failures[i] = 0;
            } else {
                r->subs[i] = NULL;
                if (failures[i]++ == 0)
                    cm_warn("cannot follow %s yet: %s; retrying every %d ms", feeds[i].subject,
                            natsStatus_GetText(s), REVOCATIONS_RETRY_MS);
            }
        }
        atomic_store(&r->following, following == FEEDS);
        for (int i = 0; i < REVOCATIONS_RETRY_MS / 100 && !atomic_load(&r->quit) && !*r->stop; i++)
            usleep(100 * 1000);
    }
    return NULL;
}

cm_err revocations_start(struct revocations *r, natsConnection *nc, volatile sig_atomic_t *stop)
{
    r->nc = nc;
    r->stop = stop;
    atomic_store(&r->quit, 0);
    if (!r->running) { /* a first start: tokens wait for the replay */
        atomic_store(&r->caught_up, 0);
        atomic_store(&r->replay_subscribed, 0);
        atomic_store(&r->replay_seen, 0);
        atomic_store(&r->replay_until, 0);
    }
    if (pthread_create(&r->thread, NULL, run, r) != 0) {
        cm_error("cannot start the revocation follower");
        return CM_EINTERNAL;
    }
    r->running = 1;
    return CM_OK;
}

int revocations_following(struct revocations *r)
{
    return atomic_load(&r->following);
}

void revocations_stop(struct revocations *r)
{
    if (!r->running)
        return;
    atomic_store(&r->quit, 1);
    pthread_join(r->thread, NULL);
    r->running = 0;
    for (int i = 0; i < FEEDS; i++) {
        if (!r->subs[i])
            continue;
        /* drained: a callback in progress finishes before r goes */
        if (natsSubscription_Drain(r->subs[i]) == NATS_OK)
            natsSubscription_WaitForDrainCompletion(r->subs[i], 2000);
        else
            natsSubscription_Unsubscribe(r->subs[i]);
        natsSubscription_Destroy(r->subs[i]);
        r->subs[i] = NULL;
    }
    jsCtx_Destroy(r->js);
    r->js = NULL;
    atomic_store(&r->following, 0);
}
