/* test_cm_metrics.c: counts, histogram buckets, the exposition text, label
 * escaping, the series cap and concurrent observations. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_metrics.h"

static struct cm_metrics *m;

static void setup(void)
{
    m = cm_metrics_new("edge");
}

static void teardown(void)
{
    cm_metrics_free(m);
}

TestSuite(cm_metrics, .init = setup, .fini = teardown, .timeout = 20);

/* Value of the sample line whose name and labels are exactly series (e.g.
 * `requests_total{...}`), or -1 when there is none. Asserts it is unique. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    double v = -1;
    int seen = 0;

    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        cr_assert(not(eq(ptr, (void *)nl, NULL)), "last line lacks a newline");
        if ((size_t)(nl - line) > n && strncmp(line, series, n) == 0 && line[n] == ' ') {
            char *end;
            v = strtod(line + n + 1, &end);
            cr_assert(eq(ptr, end, (char *)nl), "trailing junk after value");
            seen++;
        }
        line = nl + 1;
    }
    cr_assert(le(int, seen, 1), "series %s appears %d times", series, seen);
    return v;
}

static size_t count_lines_starting(const char *text, const char *prefix)
{
    size_t n = 0;

    for (const char *line = text; *line; line = strchr(line, '\n') + 1)
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            n++;
    return n;
}

Test(cm_metrics, counts_requests_per_route_any_status)
{
    cm_metrics_observe(m, "messaging", 200, 0.01);
    cm_metrics_observe(m, "messaging", 200, 0.02);
    cm_metrics_observe(m, "messaging", 404, 0.03);
    cm_metrics_observe(m, "identity", 500, 0.04);

    cr_assert(eq(u64, cm_metrics_count(m, "messaging"), 3));
    cr_assert(eq(u64, cm_metrics_count(m, "identity"), 1));
    cr_assert(eq(u64, cm_metrics_count(m, "unknown"), 0));
    cr_assert(eq(u64, cm_metrics_count(m, NULL), 0));
}

Test(cm_metrics, renders_counter_line)
{
    char *text;
    size_t len = 0;

    for (int i = 0; i < 12; i++)
        cm_metrics_observe(m, "messaging", 200, 0.001);
    text = cm_metrics_render(m, &len);
    cr_assert(eq(sz, len, strlen(text)));
    cr_assert(not(eq(ptr,
                     strstr(text, "\nrequests_total{service=\"edge\",route=\"messaging\","
                                  "status=\"200\"} 12\n"),
                     NULL)),
              "%s", text);
    free(text);
}

Test(cm_metrics, render_lines_are_comments_or_samples)
{
    char *text;
    const char *families[] = {"requests_total", "request_duration_seconds"};

    cm_metrics_observe(m, "messaging", 200, 0.3);
    cm_metrics_observe(m, "privacy", 403, 7);
    cm_metrics_gauge_set(m, "inflight_requests", 3);
    text = cm_metrics_render(m, NULL);

    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = (size_t)(nl - line);
        char buf[512];

        cr_assert(lt(sz, n, sizeof buf));
        memcpy(buf, line, n);
        buf[n] = '\0';
        if (buf[0] == '#') {
            char kind[8], name[128];
            cr_assert(eq(int, sscanf(buf, "# %7s %127s", kind, name), 2), "%s", buf);
            cr_assert(strcmp(kind, "HELP") == 0 || strcmp(kind, "TYPE") == 0, "%s", buf);
        } else {
            char *brace = strchr(buf, '{');
            char *close = strrchr(buf, '}');
            char *end;
            cr_assert(brace && close && close > brace, "%s", buf);
            cr_assert(eq(chr, close[1], ' '), "%s", buf);
            strtod(close + 2, &end);
            cr_assert(eq(chr, *end, '\0'), "%s", buf);
            cr_assert(eq(int, strncmp(brace, "{service=\"edge\"", 15), 0), "%s", buf);
        }
        line = nl + 1;
    }
    for (size_t i = 0; i < 2; i++) {
        char help[96], type[96];
        snprintf(help, sizeof help, "# HELP %s ", families[i]);
        snprintf(type, sizeof type, "# TYPE %s ", families[i]);
        cr_assert(eq(sz, count_lines_starting(text, help), 1));
        cr_assert(eq(sz, count_lines_starting(text, type), 1));
    }
    cr_assert(not(eq(ptr, strstr(text, "# TYPE requests_total counter\n"), NULL)));
    cr_assert(not(eq(ptr, strstr(text, "# TYPE request_duration_seconds histogram\n"), NULL)));
    cr_assert(not(eq(ptr, strstr(text, "# TYPE inflight_requests gauge\n"), NULL)));
    cr_assert(eq(dbl, sample(text, "inflight_requests{service=\"edge\"}"), 3));
    free(text);
}

Test(cm_metrics, histogram_sum_count_and_inf)
{
    char *text;

    cm_metrics_observe(m, "r", 200, 0.25);
    cm_metrics_observe(m, "r", 200, 0.5);
    cm_metrics_observe(m, "r", 200, 20);
    text = cm_metrics_render(m, NULL);
    cr_assert(eq(dbl,
                 sample(text, "request_duration_seconds_sum{service=\"edge\",route=\"r\","
                              "status=\"200\"}"),
                 20.75));
    cr_assert(eq(dbl,
                 sample(text, "request_duration_seconds_count{service=\"edge\",route=\"r\","
                              "status=\"200\"}"),
                 3));
    cr_assert(eq(dbl,
                 sample(text, "request_duration_seconds_bucket{service=\"edge\",route=\"r\","
                              "status=\"200\",le=\"+Inf\"}"),
                 3));
    cr_assert(eq(dbl,
                 sample(text, "request_duration_seconds_bucket{service=\"edge\",route=\"r\","
                              "status=\"200\",le=\"10\"}"),
                 2));
    free(text);
}

/* --- bucket placement --- */

static const char *const les[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                  "0.025",  "0.05",  "0.1",    "0.25",  "0.5",
                                  "1",      "2.5",   "5",      "10",    "+Inf"};
#define NLES (sizeof les / sizeof les[0])

struct bucket_case {
    double seconds;
    size_t first_le; /* index in les of the smallest bucket that counts it */
};

ParameterizedTestParameters(cm_metrics, places_observation_in_buckets)
{
    static struct bucket_case cases[] = {
        {0, 0},     {0.0001, 0}, {0.0005, 0},  {0.00051, 1}, {0.001, 1},
        {0.003, 3}, {0.01, 4},   {0.011, 5},   {0.3, 9},     {1, 10},
        {1.5, 11},  {10, 13},    {10.001, 14}, {1e9, 14},    {-1, 0},
    };
    return cr_make_param_array(struct bucket_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bucket_case *c, cm_metrics, places_observation_in_buckets)
{
    char *text;

    cm_metrics_observe(m, "b", 200, c->seconds);
    text = cm_metrics_render(m, NULL);
    for (size_t i = 0; i < NLES; i++) {
        char series[160];
        snprintf(series, sizeof series,
                 "request_duration_seconds_bucket{service=\"edge\",route=\"b\",status=\"200\","
                 "le=\"%s\"}",
                 les[i]);
        cr_assert(eq(dbl, sample(text, series), i >= c->first_le ? 1 : 0), "%g in le=%s",
                  c->seconds, les[i]);
    }
    free(text);
}

Test(cm_metrics, nan_duration_counts_as_zero)
{
    char *text;

    cm_metrics_observe(m, "n", 200, NAN);
    text = cm_metrics_render(m, NULL);
    cr_assert(eq(dbl,
                 sample(text, "request_duration_seconds_sum{service=\"edge\",route=\"n\","
                              "status=\"200\"}"),
                 0));
    cr_assert(eq(dbl,
                 sample(text, "request_duration_seconds_bucket{service=\"edge\",route=\"n\","
                              "status=\"200\",le=\"0.0005\"}"),
                 1));
    free(text);
}

/* --- escaping --- */

Test(cm_metrics, escapes_label_values)
{
    struct cm_metrics *odd = cm_metrics_new("we\"ird\\svc");
    char *text;

    cm_metrics_observe(odd, "a\"b\\c\nd", 201, 0.1);
    text = cm_metrics_render(odd, NULL);
    cr_assert(not(eq(ptr,
                     strstr(text, "\nrequests_total{service=\"we\\\"ird\\\\svc\","
                                  "route=\"a\\\"b\\\\c\\nd\",status=\"201\"} 1\n"),
                     NULL)),
              "%s", text);
    cr_assert(eq(u64, cm_metrics_count(odd, "a\"b\\c\nd"), 1));
    free(text);
    cm_metrics_free(odd);
}

/* --- series cap --- */

Test(cm_metrics, routes_past_the_cap_become_other)
{
    char route[32], *text;

    for (int i = 0; i < 600; i++) {
        snprintf(route, sizeof route, "route-%d", i);
        cm_metrics_observe(m, route, 200, 0.01);
    }
    cm_metrics_observe(m, "route-0", 200, 0.01); /* existing series still counts */
    cm_metrics_observe(m, "late", 404, 0.01);

    cr_assert(eq(u64, cm_metrics_count(m, "route-0"), 2));
    cr_assert(eq(u64, cm_metrics_count(m, "route-511"), 1));
    cr_assert(eq(u64, cm_metrics_count(m, "route-512"), 0));
    cr_assert(eq(u64, cm_metrics_count(m, "other"), 89));
    text = cm_metrics_render(m, NULL);
    cr_assert(eq(sz, count_lines_starting(text, "requests_total{"), 514));
    cr_assert(eq(
        dbl, sample(text, "requests_total{service=\"edge\",route=\"other\",status=\"200\"}"), 88));
    cr_assert(eq(
        dbl, sample(text, "requests_total{service=\"edge\",route=\"other\",status=\"404\"}"), 1));
    free(text);
}

/* --- gauges --- */

Test(cm_metrics, gauges_are_set_overwritten_and_validated)
{
    char *text;

    cm_metrics_gauge_set(m, "pg_pool_free", 4);
    cm_metrics_gauge_set(m, "pg_pool_free", 2.5);
    cm_metrics_gauge_set(m, "bad name", 1);
    cm_metrics_gauge_set(m, "9starts_with_digit", 1);
    cm_metrics_gauge_set(m, "requests_total", 1);
    cm_metrics_gauge_set(m, NULL, 1);
    text = cm_metrics_render(m, NULL);
    cr_assert(eq(dbl, sample(text, "pg_pool_free{service=\"edge\"}"), 2.5));
    cr_assert(eq(ptr, strstr(text, "bad name"), NULL));
    cr_assert(eq(ptr, strstr(text, "9starts"), NULL));
    cr_assert(eq(sz, count_lines_starting(text, "requests_total{"), 0));
    free(text);
}

Test(cm_metrics, null_registry_is_harmless)
{
    char *text;
    size_t len = 7;

    cm_metrics_free(NULL);
    cm_metrics_observe(NULL, "r", 200, 1);
    cm_metrics_gauge_set(NULL, "g", 1);
    cr_assert(eq(u64, cm_metrics_count(NULL, "r"), 0));
    text = cm_metrics_render(NULL, &len);
    cr_assert(eq(str, text, ""));
    cr_assert(eq(sz, len, 0));
    free(text);
}

/* --- concurrency --- */

#define THREADS 4
#define PER_THREAD 100000

static void *observe_many(void *arg)
{
    const char *route = arg;

    for (int i = 0; i < PER_THREAD; i++)
        cm_metrics_observe(m, i % 2 ? "shared" : route, 200 + i % 3, 0.001 * (i % 7));
    return NULL;
}

Test(cm_metrics, concurrent_observations_sum_correctly)
{
    pthread_t t[THREADS];
    char routes[THREADS][16];
    char *text;
    double total = 0;

    for (int i = 0; i < THREADS; i++) {
        snprintf(routes[i], sizeof routes[i], "own-%d", i);
        cr_assert(eq(int, pthread_create(&t[i], NULL, observe_many, routes[i]), 0));
    }
    for (int i = 0; i < THREADS; i++) {
        char *rendered = cm_metrics_render(m, NULL); /* rendering while observing is safe */
        free(rendered);
        pthread_join(t[i], NULL);
    }
    cr_assert(eq(u64, cm_metrics_count(m, "shared"), THREADS * PER_THREAD / 2));
    for (int i = 0; i < THREADS; i++)
        cr_assert(eq(u64, cm_metrics_count(m, routes[i]), PER_THREAD / 2));

    text = cm_metrics_render(m, NULL);
    for (int s = 200; s < 203; s++) {
        char series[128];
        snprintf(series, sizeof series,
                 "request_duration_seconds_count{service=\"edge\",route=\"shared\",status=\"%d\"}",
                 s);
        total += sample(text, series);
    }
    cr_assert(eq(dbl, total, THREADS * PER_THREAD / 2));
    free(text);
}
