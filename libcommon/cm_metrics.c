/* cm_metrics.c: Prometheus counters, histograms and gauges of a daemon.
 *
 * One mutex guards the registry. Series live in an array allocated with the
 * registry and are found through a fixed open-addressing table, so an
 * observation on an existing series only hashes, locks and adds; the route
 * is copied once, when its series is created. Named routes get at most
 * SERIES_CAP series; past that, routes are recorded as route="other", which
 * has OTHER_CAP more series (one per status). Observations that fit nowhere
 * are counted in cm_metrics_dropped_total. */
#include "cm_metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

#define SERIES_CAP 512  /* series with a named route */
#define OTHER_CAP 64    /* route="other" series, one per status, past the cap */
#define TABLE_SIZE 1024 /* power of two above SERIES_CAP + OTHER_CAP */
#define GAUGE_CAP 64
#define OTHER_ROUTE "other"

/* Upper bounds (le) of the duration buckets, in seconds; +Inf is implied. */
static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,    0.25,  0.5,    1,     2.5,  5,     10};
static const char *const bucket_labels[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                            "0.025",  "0.05",  "0.1",    "0.25",  "0.5",
                                            "1",      "2.5",   "5",      "10"};
#define NBOUNDS (sizeof bucket_bounds / sizeof bucket_bounds[0])

struct series {
    char *route;
    int status;
    unsigned long count;
    double sum;
    unsigned long buckets[NBOUNDS + 1]; /* per bucket, not cumulative; last is +Inf */
};

struct gauge {
    char *name;
    double value;
};

struct cm_metrics {
    pthread_mutex_t lock;
    char *service;
    struct series *series; /* SERIES_CAP + OTHER_CAP slots, in creation order */
    size_t nseries;
    size_t nnamed;              /* series with a named route */
    uint16_t table[TABLE_SIZE]; /* index into series + 1; 0 is empty */
    struct gauge gauges[GAUGE_CAP];
    size_t ngauges;
    unsigned long dropped;
};

struct cm_metrics *cm_metrics_new(const char *service)
{
    struct cm_metrics *m = cm_xcalloc(1, sizeof *m);

    m->lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    m->service = cm_xstrdup(service ? service : "");
    m->series = cm_xcalloc(SERIES_CAP + OTHER_CAP, sizeof *m->series);
    return m;
}

void cm_metrics_free(struct cm_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nseries; i++)
        free(m->series[i].route);
    for (size_t i = 0; i < m->ngauges; i++)
        free(m->gauges[i].name);
    free(m->series);
    free(m->service);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static uint32_t series_hash(const char *route, int status)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)route; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (h ^ (uint32_t)status) * 16777619u;
}

/* Slot of (route, status) in m->table: its entry, or the empty slot where it
 * would go. The table never fills: it has more slots than series. Caller
 * holds m->lock. */
static size_t do_slot(const struct cm_metrics *m, const char *route, int status)
{
    size_t i = series_hash(route, status) & (TABLE_SIZE - 1);

    for (;;) {
        uint16_t e = m->table[i];
        if (e == 0)
            return i;
        if (m->series[e - 1].status == status && strcmp(m->series[e - 1].route, route) == 0)
            return i;
        i = (i + 1) & (TABLE_SIZE - 1);
    }
}

/* Creates series (route, status) in the empty slot. Caller holds m->lock. */
static struct series *do_add(struct cm_metrics *m, size_t slot, const char *route, int status)
{
    struct series *s = &m->series[m->nseries];

    s->route = cm_xstrdup(route);
    s->status = status;
    m->table[slot] = (uint16_t)(++m->nseries);
    return s;
}

/* Series for (route, status), created if there is room; NULL when there is
 * none. Caller holds m->lock. */
static struct series *do_find(struct cm_metrics *m, const char *route, int status)
{
    size_t slot = do_slot(m, route, status);

    if (m->table[slot])
        return &m->series[m->table[slot] - 1];
    if (m->nnamed < SERIES_CAP) {
        m->nnamed++;
        return do_add(m, slot, route, status);
    }
    slot = do_slot(m, OTHER_ROUTE, status);
    if (m->table[slot])
        return &m->series[m->table[slot] - 1];
    if (m->nseries < SERIES_CAP + OTHER_CAP)
        return do_add(m, slot, OTHER_ROUTE, status);
    return NULL;
}

void cm_metrics_observe(struct cm_metrics *m, const char *route, int status, double seconds)
{
    struct series *s;
    size_t b = 0;

    if (!m)
        return;
    if (!route)
        route = OTHER_ROUTE;
    if (!isfinite(seconds) || seconds < 0)
        seconds = 0; /* a clock step must not poison the sum */
    while (b < NBOUNDS && seconds > bucket_bounds[b])
        b++;
    pthread_mutex_lock(&m->lock);
    s = do_find(m, route, status);
    if (s) {
        s->count++;
        s->sum += seconds;
        s->buckets[b]++;
    } else {
        m->dropped++;
    }
    pthread_mutex_unlock(&m->lock);
}

/* True when name matches [a-zA-Z_:][a-zA-Z0-9_:]*. */
static int metric_name_valid(const char *name)
{
    if (!name || !*name || (*name >= '0' && *name <= '9'))
        return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':'))
            return 0;
    }
    return strncmp(name, "requests_total", 14) != 0 &&
           strncmp(name, "request_duration_seconds", 24) != 0 &&
           strncmp(name, "cm_metrics_", 11) != 0;
}

void cm_metrics_gauge_set(struct cm_metrics *m, const char *name, double value)
{
    size_t i;

    if (!m || !metric_name_valid(name))
        return;
    pthread_mutex_lock(&m->lock);
    for (i = 0; i < m->ngauges; i++)
        if (strcmp(m->gauges[i].name, name) == 0)
            break;
    if (i == m->ngauges && i < GAUGE_CAP)
        m->gauges[m->ngauges++].name = cm_xstrdup(name);
    if (i < m->ngauges)
        m->gauges[i].value = value;
    pthread_mutex_unlock(&m->lock);
}

unsigned long cm_metrics_count(struct cm_metrics *m, const char *route)
{
    unsigned long n = 0;

    if (!m || !route)
        return 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->nseries; i++)
        if (strcmp(m->series[i].route, route) == 0)
            n += m->series[i].count;
    pthread_mutex_unlock(&m->lock);
    return n;
}

/* --- rendering --- */

struct out {
    char *p;
    size_t len, cap;
};

static void out_reserve(struct out *o, size_t n)
{
    if (o->len + n + 1 <= o->cap)
        return;
    while (o->len + n + 1 > o->cap)
        o->cap = o->cap ? o->cap * 2 : 4096;
    o->p = cm_xrealloc(o->p, o->cap);
}

static void out_put(struct out *o, const char *s)
{
    size_t n = strlen(s);

    out_reserve(o, n);
    memcpy(o->p + o->len, s, n + 1);
    o->len += n;
}

__attribute__((format(printf, 2, 3))) static void out_printf(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    out_reserve(o, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(o->p + o->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    o->len += (size_t)n;
}

/* Appends a label value escaped per the exposition format: \\, \" and \n. */
static void out_label_value(struct out *o, const char *s)
{
    out_reserve(o, 2 * strlen(s));
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') {
            o->p[o->len++] = '\\';
            o->p[o->len++] = *s;
        } else if (*s == '\n') {
            o->p[o->len++] = '\\';
            o->p[o->len++] = 'n';
        } else {
            o->p[o->len++] = *s;
        }
    }
    o->p[o->len] = '\0';
}

/* Appends v as Prometheus reads it: the shortest %g form that reads back
 * exactly, or NaN, +Inf, -Inf. */
static void out_double(struct out *o, double v)
{
    char buf[40];

    if (isnan(v)) {
        out_put(o, "NaN");
    } else if (isinf(v)) {
        out_put(o, v > 0 ? "+Inf" : "-Inf");
    } else {
        snprintf(buf, sizeof buf, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, sizeof buf, "%.17g", v);
        out_put(o, buf);
    }
}

/* Appends `service="…",route="…",status="…"` (no braces). */
static void out_series_labels(struct out *o, const struct cm_metrics *m, const struct series *s)
{
    out_put(o, "service=\"");
    out_label_value(o, m->service);
    out_put(o, "\",route=\"");
    out_label_value(o, s->route);
    out_printf(o, "\",status=\"%d\"", s->status);
}

/* Renders everything. Caller holds m->lock. */
static void do_render(struct cm_metrics *m, struct out *o)
{
    out_put(o, "# HELP requests_total Requests handled, by route and status.\n"
               "# TYPE requests_total counter\n");
    for (size_t i = 0; i < m->nseries; i++) {
        out_put(o, "requests_total{");
        out_series_labels(o, m, &m->series[i]);
        out_printf(o, "} %lu\n", m->series[i].count);
    }
    out_put(o, "# HELP request_duration_seconds Time to handle a request, by route and status.\n"
               "# TYPE request_duration_seconds histogram\n");
    for (size_t i = 0; i < m->nseries; i++) {
        const struct series *s = &m->series[i];
        unsigned long cum = 0;

        for (size_t b = 0; b <= NBOUNDS; b++) {
            cum += s->buckets[b];
            out_put(o, "request_duration_seconds_bucket{");
            out_series_labels(o, m, s);
            out_printf(o, ",le=\"%s\"} %lu\n", b < NBOUNDS ? bucket_labels[b] : "+Inf", cum);
        }
        out_put(o, "request_duration_seconds_sum{");
        out_series_labels(o, m, s);
        out_put(o, "} ");
        out_double(o, s->sum);
        out_put(o, "\nrequest_duration_seconds_count{");
        out_series_labels(o, m, s);
        out_printf(o, "} %lu\n", s->count);
    }
    for (size_t i = 0; i < m->ngauges; i++) {
        const struct gauge *g = &m->gauges[i];

        out_printf(o, "# HELP %s Gauge set by the daemon.\n# TYPE %s gauge\n%s{service=\"", g->name,
                   g->name, g->name);
        out_label_value(o, m->service);
        out_put(o, "\"} ");
        out_double(o, g->value);
        out_put(o, "\n");
    }
    if (m->dropped) {
        out_put(o, "# HELP cm_metrics_dropped_total Observations past every series cap.\n"
                   "# TYPE cm_metrics_dropped_total counter\n"
                   "cm_metrics_dropped_total{service=\"");
        out_label_value(o, m->service);
        out_printf(o, "\"} %lu\n", m->dropped);
    }
}

char *cm_metrics_render(struct cm_metrics *m, size_t *out_len)
{
    struct out o = {NULL, 0, 0};

    out_reserve(&o, 0);
    o.p[0] = '\0';
    if (m) {
        pthread_mutex_lock(&m->lock);
        do_render(m, &o);
        pthread_mutex_unlock(&m->lock);
    }
    if (out_len)
        *out_len = o.len;
    return o.p;
}
