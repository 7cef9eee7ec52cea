/* cm_nats_ldm.c: requests made through a nats.c connection leave a server in
 * lame-duck mode (cm_nats_ldm.h): the registry of families, the mover thread
 * that opens a successor connection, and the count of requests per
 * connection that keeps a connection open while a reply is awaited on it. */
#include "cm_nats_ldm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_time.h"

/* One connection requests of a family use or used. */
struct cm_nats_link {
    natsConnection *nc;
    struct cm_nats_family *f;
    int users;                 /* requests waiting on nc right now */
    int retired;               /* no new request starts here */
    struct cm_nats_link *next; /* in f->retired */
};

/* The connection callers hold (primary) and where its requests go. Every
 * field is guarded by g_mu except urls, name and send_asap (set once). */
struct cm_nats_family {
    natsConnection *primary;      /* subscriptions and JetStream stay on it */
    struct cm_nats_link *cur;     /* where new requests go: primary's link first */
    struct cm_nats_link *retired; /* moved away from, closed at users == 0 */
    char *urls, *name;
    int send_asap;
    int ldm;       /* a lame-duck notice for cur waits for the mover */
    int closing;   /* cm_nats_family_end has begun */
    int has_mover; /* mover was started (joined by cm_nats_family_end) */
    pthread_t mover;
    pthread_cond_t cond; /* ldm, closing, a retired link's last user gone */
    struct cm_nats_family *next;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cm_nats_family *g_families; /* started, not yet ended */

/* Caller holds g_mu. The started family of primary, or NULL. */
static struct cm_nats_family *do_find(natsConnection *primary)
{
    for (struct cm_nats_family *f = g_families; f; f = f->next)
        if (f->primary == primary)
            return f;
    return NULL;
}

/* Caller holds g_mu. True when f is started and not ended (a callback of
 * nats.c may come for a family already freed: only its address is used). */
static int do_live(const struct cm_nats_family *f)
{
    for (struct cm_nats_family *g = g_families; g; g = g->next)
        if (g == f)
            return 1;
    return 0;
}

/* Caller holds g_mu. Unlinks and returns a retired link nobody uses. */
static struct cm_nats_link *do_take_idle(struct cm_nats_family *f)
{
    for (struct cm_nats_link **p = &f->retired; *p; p = &(*p)->next) {
        if ((*p)->users == 0) {
            struct cm_nats_link *l = *p;
            *p = l->next;
            return l;
        }
    }
    return NULL;
}

static struct cm_nats_link *link_new(struct cm_nats_family *f, natsConnection *nc)
{
    struct cm_nats_link *l = cm_xcalloc(1, sizeof *l);

    l->nc = nc;
    l->f = f;
    return l;
}

/* Closes and destroys l's connection unless it is the primary; frees l. */
static void link_free(struct cm_nats_link *l)
{
    if (!l)
        return;
    if (l->nc != l->f->primary) {
        natsConnection_Close(l->nc);
        natsConnection_Destroy(l->nc);
    }
    free(l);
}

static int closing(struct cm_nats_family *f)
{
    int c;

    pthread_mutex_lock(&g_mu);
    c = f->closing;
    pthread_mutex_unlock(&g_mu);
    return c;
}

/* A new connection for f's requests, tried every 250 ms until one works or
 * f closes (NULL then). from is the connection being left: the servers it
 * knows (given or discovered; nats.c lists them without credentials) are
 * tried besides f's list. */
static natsConnection *dial_successor(struct cm_nats_family *f, natsConnection *from)
{
    natsConnection *nc = NULL;

    for (int attempt = 0; !closing(f); attempt++) {
        char **extra = NULL;
        int n = 0;
        cm_err err;

        if (natsConnection_GetServers(from, &extra, &n) != NATS_OK) {
            extra = NULL;
            n = 0;
        }
        err = cm_nats_dial(f->urls, f->name, f->send_asap, extra, n, f, &nc);
        for (int i = 0; i < n; i++)
            free(extra[i]);
        free(extra);
        if (err == CM_OK)
            return nc;
        if (err != CM_EUNAVAIL)
            return NULL; /* the options themselves failed: logged */
        if (attempt % 20 == 0)
            cm_warn("nats (%s): no server took the connection meant to leave a lame-duck server; "
                    "retrying",
                    f->name);
        usleep(250 * 1000);
    }
    return NULL;
}

/* Caller holds g_mu. Points new requests at nc; the old link retires. */
static void do_install(struct cm_nats_family *f, natsConnection *nc)
{
    struct cm_nats_link *old = f->cur;
    char server[128] = "";

    f->cur = link_new(f, nc);
    old->retired = 1;
    old->next = f->retired;
    f->retired = old;
    if (natsConnection_GetConnectedServerId(nc, server, sizeof server) != NATS_OK)
        server[0] = '\0';
    cm_info("nats (%s): requests moved off the lame-duck server to a new connection (server %s)",
            f->name, server);
}

/* The mover: waits for a lame-duck notice (opens a successor) or a retired
 * connection's last request (closes it), until the family ends. */
static void *mover_main(void *arg)
{
    struct cm_nats_family *f = arg;

    pthread_mutex_lock(&g_mu);
    while (!f->closing) {
        struct cm_nats_link *idle = do_take_idle(f);
        if (idle) {
            pthread_mutex_unlock(&g_mu);
            link_free(idle);
            pthread_mutex_lock(&g_mu);
            continue;
        }
        if (f->ldm) {
            natsConnection *from = f->cur->nc, *nc; /* cur changes only here */
            f->ldm = 0;
            pthread_mutex_unlock(&g_mu);
            nc = dial_successor(f, from);
            pthread_mutex_lock(&g_mu);
            if (nc && f->closing) {
                pthread_mutex_unlock(&g_mu);
                natsConnection_Close(nc);
                natsConnection_Destroy(nc);
                pthread_mutex_lock(&g_mu);
            } else if (nc) {
                do_install(f, nc);
            }
            continue;
        }
        pthread_cond_wait(&f->cond, &g_mu);
    }
    pthread_mutex_unlock(&g_mu);
    return NULL;
}

struct cm_nats_family *cm_nats_family_new(const char *urls, const char *name, int send_asap)
{
    struct cm_nats_family *f = cm_xcalloc(1, sizeof *f);

    f->urls = cm_xstrdup(urls);
    f->name = cm_xstrdup(name);
    f->send_asap = send_asap;
    pthread_cond_init(&f->cond, NULL);
    return f;
}

void cm_nats_family_start(struct cm_nats_family *f, natsConnection *primary)
{
    f->primary = primary;
    f->cur = link_new(f, primary);
    pthread_mutex_lock(&g_mu);
    f->next = g_families;
    g_families = f;
    pthread_mutex_unlock(&g_mu);
}

void cm_nats_family_discard(struct cm_nats_family *f)
{
    if (!f)
        return;
    pthread_cond_destroy(&f->cond);
    free(f->urls);
    free(f->name);
    free(f);
}

/* Caller holds g_mu. Requests still waiting on any of f's links. */
static int do_users(const struct cm_nats_family *f)
{
    int n = f->cur ? f->cur->users : 0;

    for (const struct cm_nats_link *l = f->retired; l; l = l->next)
        n += l->users;
    return n;
}

void cm_nats_family_end(natsConnection *primary, int timeout_ms)
{
    struct cm_nats_family *f, **p;
    int64_t deadline = cm_now_ms() + timeout_ms;
    int has_mover, users;

    pthread_mutex_lock(&g_mu);
    f = do_find(primary);
    if (!f) {
        pthread_mutex_unlock(&g_mu);
        return;
    }
    f->closing = 1;
    pthread_cond_broadcast(&f->cond);
    has_mover = f->has_mover;
    pthread_mutex_unlock(&g_mu);
    if (has_mover)
        pthread_join(f->mover, NULL);
    pthread_mutex_lock(&g_mu);
    while ((users = do_users(f)) > 0 && cm_now_ms() < deadline) {
        pthread_mutex_unlock(&g_mu);
        usleep(10 * 1000);
        pthread_mutex_lock(&g_mu);
    }
    for (p = &g_families; *p != f; p = &(*p)->next)
        ;
    *p = f->next; /* from now on requests through primary use it directly */
    pthread_mutex_unlock(&g_mu);
    if (users > 0) {
        /* a request still holds a link: leave the family to it rather than
         * free what it will touch */
        cm_warn("nats (%s): %d requests still waiting at close", f->name, users);
        return;
    }
    link_free(f->cur);
    while (f->retired) {
        struct cm_nats_link *l = f->retired;
        f->retired = l->next;
        link_free(l);
    }
    cm_nats_family_discard(f);
}

void cm_nats_ldm_on_lame_duck(natsConnection *nc, void *closure)
{
    struct cm_nats_family *f = closure;

    pthread_mutex_lock(&g_mu);
    if (do_live(f) && !f->closing && f->cur && f->cur->nc == nc && !f->ldm) {
        cm_info("nats (%s): server entering lame-duck mode, requests move to a new connection",
                f->name);
        f->ldm = 1;
        if (!f->has_mover) {
            if (pthread_create(&f->mover, NULL, mover_main, f) == 0)
                f->has_mover = 1;
            else
                cm_warn("nats (%s): no thread to leave the lame-duck server", f->name);
        }
        pthread_cond_broadcast(&f->cond);
    }
    pthread_mutex_unlock(&g_mu);
}

natsConnection *cm_nats_acquire(natsConnection *nc, struct cm_nats_link **out_link)
{
    struct cm_nats_family *f;
    struct cm_nats_link *l = NULL;

    pthread_mutex_lock(&g_mu);
    f = do_find(nc);
    if (f && f->cur) {
        l = f->cur;
        l->users++;
        nc = l->nc;
    }
    pthread_mutex_unlock(&g_mu);
    *out_link = l;
    return nc;
}

void cm_nats_release(struct cm_nats_link *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&g_mu);
    if (--l->users == 0 && l->retired)
        pthread_cond_broadcast(&l->f->cond);
    pthread_mutex_unlock(&g_mu);
}
