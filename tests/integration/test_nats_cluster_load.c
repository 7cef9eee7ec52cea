/* test_nats_cluster_load.c: suite "nats_cluster_load", issue 15's "Done
 * when": the whole suite's daemons (the test stack's, restarted with
 * NATS_EXTERNAL_URL) on a three-node nats-server cluster with TLS, NKey
 * users and JetStream (EVENTS replicated 3 times, EVENTS_REPLICAS=3), under
 * load through the edge (util/test, organizations created, sign-ups, authz
 * user status). EVENTS is made first with 1 replica: the relays raise it. The node leading EVENTS
 * is killed with -9: it prints the error window (asserted < 2 s), checks the daemons kept their
 * pids and are ready again, and that every outbox row written meanwhile is in EVENTS (by
 * Nats-Msg-Id, none twice). The node comes back, another is put into lame-duck mode: no request
 * fails, of any kind (the request path moves off the node, and so do the typed RPCs made through
 * nats.c: cm_nats_ldm.c), and again no event is lost or stored twice. About 25 s; part of
 * `make test`, alone with `make nats-cluster-check`. Restores the stack after. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cm_config.h"
#include "cm_nats.h"
#include "harness.h"
#include "it_nats_server.h"
#include "it_onboarding.h"

#define NODES 3
#define MAX_SAMPLES 200000
#define PHASE_MS 8000.0 /* load after the kill, and in lame duck */

static const char *const g_daemons[] = {"identity",   "authz",   "messaging",
                                        "onboarding", "privacy", "edge"};
#define NDAEMONS (sizeof g_daemons / sizeof *g_daemons)

static struct it_nats g_n;
static int g_port[NODES], g_route[NODES];
static pid_t g_pid[NODES];
static char g_urls[300];

struct sample {
    double start, end; /* ms */
    long status;
    int kind;
};
static struct sample *g_s;
static int g_ns;

static void js_open(void);
static void js_close(void);
static void make_events_r1(void);
static natsConnection *g_nc;

static void start_node(int i)
{
    char name[16];

    snprintf(name, sizeof name, "n%d", i + 1);
    g_pid[i] = it_nats_start(
        &g_n, name, g_port[i],
        "server_name: %s\nlisten: 127.0.0.1:%d\n"
        "tls { cert_file: \"%s\", key_file: \"%s\", ca_file: \"%s\", verify: true, "
        "timeout: 5 }\n"
        "authorization { users = [ { nkey: %s } ] }\n"
        "jetstream { store_dir: \"%s/js-%s\" }\n"
        "lame_duck_grace_period: \"1s\"\nlame_duck_duration: \"30s\"\n"
        "cluster { name: itl, listen: 127.0.0.1:%d, routes: [ nats-route://127.0.0.1:%d, "
        "nats-route://127.0.0.1:%d, nats-route://127.0.0.1:%d ] }\n",
        name, g_port[i], g_n.server_cert, g_n.server_key, g_n.ca, g_n.pub, g_n.dir, name,
        g_route[i], g_route[0], g_route[1], g_route[2]);
}

/* Stops every daemon of the stack, then starts them again (identity first)
 * with the environment as it is now; asserts each became ready. */
static void restart_daemons(void)
{
    for (size_t i = 0; i < NDAEMONS; i++)
        it_stack(NULL, 0, "stop", g_daemons[i], NULL);
    for (size_t i = 0; i < NDAEMONS; i++)
        cr_assert(eq(int, it_stack(NULL, 0, "start", g_daemons[i], NULL), 0),
                  "%s started (log in the stack's folder)", g_daemons[i]);
}

static void setup(void)
{
    struct cm_config cfg;
    char err[256];
    int n = 0;

    IT_REQUIRE_STACK();
    g_s = calloc(MAX_SAMPLES, sizeof *g_s);
    cr_assert(not(zero(ptr, g_s)));
    it_nats_prepare(&g_n);
    for (int i = 0; i < NODES; i++) {
        g_port[i] = it_nats_free_port();
        g_route[i] = it_nats_free_port();
    }
    for (int i = 0; i < NODES; i++) {
        start_node(i);
        n += snprintf(g_urls + n, sizeof g_urls - (size_t)n, "%stls://127.0.0.1:%d", i ? "," : "",
                      g_port[i]);
    }
    setenv("NATS_TLS_CA_FILE", g_n.ca, 1);
    setenv("NATS_TLS_CERT_FILE", g_n.cert, 1);
    setenv("NATS_TLS_KEY_FILE", g_n.key, 1);
    setenv("NATS_NKEY_SEED_FILE", g_n.seed_file, 1);
    cr_assert(eq(int, cm_config_load("identity", cm_config_env, &cfg, err, sizeof err), CM_OK),
              "config: %s", err);
    cm_config_release(&cfg);
    js_open();
    make_events_r1(); /* as a single server had made it: the relays raise it */
    setenv("NATS_EXTERNAL_URL", g_urls, 1);
    setenv("EVENTS_REPLICAS", "3", 1);
    setenv("SIGN_UP_ADDR_LIMIT", "1000000", 1);
    restart_daemons();
}

static void teardown(void)
{
    static const char *const vars[] = {
        "NATS_EXTERNAL_URL",  "EVENTS_REPLICAS",   "SIGN_UP_ADDR_LIMIT", "NATS_TLS_CA_FILE",
        "NATS_TLS_CERT_FILE", "NATS_TLS_KEY_FILE", "NATS_NKEY_SEED_FILE"};

    if (g_nc)
        js_close();
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
    if (g_n.dir[0]) {
        for (size_t i = 0; i < NDAEMONS; i++)
            it_stack(NULL, 0, "stop", g_daemons[i], NULL);
        for (int i = 0; i < NODES; i++)
            it_nats_stop(g_pid[i], SIGKILL);
        it_nats_cleanup(&g_n);
        cr_assert(it_stack_restore(90000), "the stack serves again on its own nats-server");
    }
    free(g_s);
    g_s = NULL;
}

TestSuite(nats_cluster_load, .timeout = 420, .init = setup, .fini = teardown);

/* --- JetStream as the test sees it */

static jsCtx *g_js;

static void js_open(void)
{
    cr_assert(eq(int, cm_nats_connect(g_urls, "it-cluster-load", 1, NULL, &g_nc), CM_OK));
    cr_assert(eq(int, natsConnection_JetStream(&g_js, g_nc, NULL), NATS_OK));
}

static void js_close(void)
{
    jsCtx_Destroy(g_js);
    g_js = NULL;
    cm_nats_close(g_nc, 1000);
    g_nc = NULL;
}

/* EVENTS with one replica, as before EVENTS_REPLICAS (retried while the
 * cluster elects its JetStream leader). */
static void make_events_r1(void)
{
    const char *subjects[1] = {"evt.>"};
    double until = it_now_ms() + 60000;
    jsStreamConfig sc;
    natsStatus s;

    jsStreamConfig_Init(&sc);
    sc.Name = "EVENTS";
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Duplicates = 120LL * 1000000000LL;
    sc.Replicas = 1;
    do {
        jsErrCode jerr = 0;
        s = js_AddStream(NULL, g_js, &sc, NULL, &jerr);
        if (s != NATS_OK)
            usleep(250 * 1000);
    } while (s != NATS_OK && it_now_ms() < until);
    cr_assert(eq(int, s, NATS_OK), "EVENTS (1 replica) made on the cluster");
}

/* EVENTS' info (caller jsStreamInfo_Destroy), NULL while unavailable. */
static jsStreamInfo *events_info(void)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;

    if (js_GetStreamInfo(&si, g_js, "EVENTS", NULL, &jerr) != NATS_OK)
        return NULL;
    return si;
}

/* Polls until EVENTS has a leader and at least want copies current (the
 * leader's own and the replicas nats-server lists besides it). */
static int events_healthy(double ms, int want)
{
    double until = it_now_ms() + ms;

    while (it_now_ms() < until) {
        jsStreamInfo *si = events_info();
        int current = 0;
        if (si && si->Cluster && si->Cluster->Leader && *si->Cluster->Leader) {
            current = 1;
            for (int i = 0; i < si->Cluster->ReplicasLen; i++)
                current += si->Cluster->Replicas[i]->Current && !si->Cluster->Replicas[i]->Offline;
        }
        jsStreamInfo_Destroy(si);
        if (current >= want)
            return 1;
        usleep(200 * 1000);
    }
    return 0;
}

/* --- load through the edge */

struct fixture {
    char admin[OB_TOKEN_MAX];
    char bearer[OB_TOKEN_MAX + 32];
    char code[65];
    char org_id[37];
};

enum { K_UTIL, K_ORG, K_SIGN_UP, K_AUTHZ, K_KINDS };
static const char *const g_kind[K_KINDS] = {"util/test", "organization", "sign-up", "authz"};
static int g_orgs_ok;

/* One request of kind k; its sample. A status of 0 or >= 500 is an error. */
static void one(const struct fixture *f, int k)
{
    const char *json_h[] = {"Content-Type: application/json", f->bearer, NULL};
    const char *sign_h[] = {"Content-Type: application/json", NULL};
    const char *auth_h[] = {f->bearer, NULL};
    struct it_req rq = {.timeout_ms = 5000};
    struct it_resp r;
    char unique[96], path[128], *text = NULL;
    json_t *body = NULL;
    struct sample *s;

    if (g_ns >= MAX_SAMPLES)
        return;
    s = &g_s[g_ns++];
    switch (k) {
    case K_UTIL:
        rq.path = "/api/2015-02-01/util/test/1";
        rq.auth = IT_AUTH_BOOTSTRAP;
        break;
    case K_ORG:
        it_unique(unique, sizeof unique, "ncl-org-");
        body = json_pack("{s:{s:s, s:{s:s, s:s}}}", "data", "type", "organizations", "attributes",
                         "name", unique, "display-name", "Cluster load");
        rq.method = "POST";
        rq.path = "/v1/organizations/";
        rq.headers = json_h;
        break;
    case K_SIGN_UP:
        it_unique(unique, sizeof unique, "ncl-");
        strcat(unique, "@load.example");
        body = ob_sign_up_body(f->code, unique, NULL);
        rq.method = "POST";
        rq.path = "/v1/sign-up/";
        rq.headers = sign_h;
        break;
    default:
        snprintf(path, sizeof path, "/v1/authz-user-status/%s/", f->org_id);
        rq.path = path;
        rq.headers = auth_h;
        break;
    }
    if (body) {
        text = json_dumps(body, JSON_COMPACT);
        rq.body = text;
        rq.body_len = strlen(text);
    }
    s->kind = k;
    s->start = it_now_ms();
    s->status = it_http(&rq, &r) == 0 ? r.status : 0;
    s->end = it_now_ms();
    if (k == K_ORG && s->status == 201)
        g_orgs_ok++;
    it_resp_release(&r);
    free(text);
    json_decref(body);
}

static int failed(const struct sample *s)
{
    return s->status == 0 || s->status >= 500;
}

/* Sends requests round the kinds until ms have passed. */
static void load_for(const struct fixture *f, double ms)
{
    double until = it_now_ms() + ms;

    for (int k = 0; it_now_ms() < until && g_ns < MAX_SAMPLES; k = (k + 1) % K_KINDS)
        one(f, k);
}

/* Prints and counts failures among samples [from, to). */
static int report(const char *phase, int from, int to, double t0, double *last_fail_start)
{
    int n = 0, per[K_KINDS] = {0}, fails[K_KINDS] = {0};
    double first = -1, last = -1;

    for (int i = from; i < to; i++) {
        per[g_s[i].kind]++;
        if (failed(&g_s[i])) {
            if (n < 5)
                printf("nats_cluster_load: %s: %s sent at %+.0f ms: %ld after %.0f ms\n", phase,
                       g_kind[g_s[i].kind], g_s[i].start - t0, g_s[i].status,
                       g_s[i].end - g_s[i].start);
            fails[g_s[i].kind]++;
            if (first < 0)
                first = g_s[i].start - t0;
            last = g_s[i].start - t0;
            n++;
        }
    }
    printf("nats_cluster_load: %s: %d requests, %d failed", phase, to - from, n);
    for (int k = 0; k < K_KINDS; k++)
        printf("; %s %d/%d", g_kind[k], per[k] - fails[k], per[k]);
    if (n)
        printf("; failures sent from %+.0f to %+.0f ms", first, last);
    printf("\n");
    fflush(stdout);
    if (last_fail_start)
        *last_fail_start = last;
    return n;
}

/* Status of every sample's kind outside the error window must be expected:
 * printed when not (a 4xx would mean the load itself is wrong). */
static void assert_statuses_expected(int from, int to)
{
    for (int i = from; i < to; i++) {
        long st = g_s[i].status;
        int ok = failed(&g_s[i]) || (g_s[i].kind == K_UTIL && st == 200) ||
                 (g_s[i].kind == K_ORG && st == 201) || (g_s[i].kind == K_SIGN_UP && st == 201) ||
                 (g_s[i].kind == K_AUTHZ && (st == 200 || st == 404));
        cr_assert(ok, "%s answered %ld", g_kind[g_s[i].kind], st);
    }
}

static void make_fixture(struct fixture *f)
{
    it_admin_token_accepted(f->admin);
    snprintf(f->bearer, sizeof f->bearer, "Authorization: Bearer %s", f->admin);
    ob_create_org(f->admin, f->org_id, NULL);
    ob_create_code(f->admin, f->org_id, NULL, f->code);
}

/* --- no event lost */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every outbox row written since `since` (every service) is sent and in
 * EVENTS; returns how many rows were checked. */
static int check_events(PGconn *pg, const char *since)
{
    static const char *const svcs[] = {"identity", "authz", "messaging", "onboarding", "privacy"};
    jsStreamInfo *si = NULL;
    char **ids = NULL, sql[256], *unsent;
    size_t nids = 0, cap = 0;
    int rows = 0, missing = 0, orgs_events = 0, twice = 0;
    double until = it_now_ms() + 60000;
    /* rows written from now on (mails queued off the request path still
     * make delivery events after the load) are not this check's: it looks
     * at [since, bound); the pause lets transactions that stamped a row
     * before bound commit */
    char *bound = it_pg_value(pg, "SELECT now()::text", 0, NULL);

    cr_assert(not(zero(ptr, bound)));
    usleep(1000 * 1000);
    /* the relays send what is left (a leader election may have held some) */
    for (size_t i = 0; i < sizeof svcs / sizeof *svcs; i++) {
        const char *p[2] = {since, bound};
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM %s.outbox WHERE created_at >= $1 AND created_at < $2 "
                 "AND sent_at IS NULL",
                 svcs[i]);
        for (;;) {
            unsent = it_pg_value(pg, sql, 2, p);
            if (strcmp(unsent, "0") == 0 || it_now_ms() > until)
                break;
            free(unsent);
            usleep(200 * 1000);
        }
        cr_assert(eq(str, unsent, "0"), "%s: every outbox row sent (JetStream acked)", svcs[i]);
        free(unsent);
    }
    /* the Nats-Msg-Id of every message in EVENTS */
    cr_assert(events_healthy(30000, 1), "EVENTS has a leader");
    si = events_info();
    cr_assert(not(zero(ptr, si)));
    for (uint64_t seq = si->State.FirstSeq; seq && seq <= si->State.LastSeq; seq++) {
        natsMsg *m = NULL;
        const char *id = NULL;
        jsErrCode jerr = 0;
        natsStatus gs = NATS_ERR;
        /* a read can fail for a moment after a leader change: only "no
         * message" means a deleted sequence */
        for (int tries = 0; tries < 20; tries++) {
            jerr = 0;
            gs = js_GetMsg(&m, g_js, "EVENTS", seq, NULL, &jerr);
            if (gs == NATS_OK || jerr == JSNoMessageFoundErr)
                break;
            usleep(100 * 1000);
        }
        if (gs != NATS_OK)
            continue; /* a deleted sequence */
        if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK && id) {
            if (nids == cap) {
                cap = cap ? cap * 2 : 1024;
                ids = realloc(ids, cap * sizeof *ids);
                cr_assert(not(zero(ptr, ids)));
            }
            ids[nids++] = strdup(id);
        }
        natsMsg_Destroy(m);
    }
    jsStreamInfo_Destroy(si);
    qsort(ids, nids, sizeof *ids, cmp_str);
    /* a relay that republishes after a lost ack is deduplicated by EVENTS
     * (Nats-Msg-Id): no id may be stored twice */
    for (size_t i = 1; i < nids; i++) {
        if (strcmp(ids[i - 1], ids[i]) == 0 && twice++ < 5)
            printf("nats_cluster_load: twice in EVENTS: %s\n", ids[i]);
    }
    for (size_t i = 0; i < sizeof svcs / sizeof *svcs; i++) {
        const char *p[2] = {since, bound};
        PGresult *res;
        snprintf(sql, sizeof sql,
                 "SELECT id::text, subject FROM %s.outbox WHERE created_at >= $1 "
                 "AND created_at < $2",
                 svcs[i]);
        res = PQexecParams(pg, sql, 2, NULL, p, NULL, NULL, 0);
        cr_assert(eq(int, PQresultStatus(res), PGRES_TUPLES_OK), "%s", PQerrorMessage(pg));
        for (int r = 0; r < PQntuples(res); r++) {
            const char *id = PQgetvalue(res, r, 0);
            rows++;
            if (strcmp(svcs[i], "identity") == 0 && strstr(PQgetvalue(res, r, 1), "organization") &&
                strstr(PQgetvalue(res, r, 1), "created"))
                orgs_events++;
            if (!bsearch(&id, ids, nids, sizeof *ids, cmp_str)) {
                if (missing++ < 5)
                    printf("nats_cluster_load: missing from EVENTS: %s %s\n", svcs[i],
                           PQgetvalue(res, r, 1));
            }
        }
        PQclear(res);
    }
    printf("nats_cluster_load: events: %d outbox rows since the switch, %zu messages in EVENTS, "
           "%d missing, %d stored twice; %d organizations acknowledged, %d organization-created "
           "events\n",
           rows, nids, missing, twice, g_orgs_ok, orgs_events);
    fflush(stdout);
    for (size_t i = 0; i < nids; i++)
        free(ids[i]);
    free(ids);
    free(bound);
    cr_assert(eq(int, missing, 0), "no event lost");
    cr_assert(eq(int, twice, 0), "no event stored twice");
    cr_assert(ge(int, orgs_events, g_orgs_ok), "each acknowledged organization has its event");
    return rows;
}

/* --- the test */

/* Does file contain needle? */
static int log_has(const char *file, const char *needle)
{
    static char buf[1 << 22];
    FILE *f = fopen(file, "r");
    size_t n;

    if (!f)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static void daemon_pids(long *out)
{
    for (size_t i = 0; i < NDAEMONS; i++)
        out[i] = it_pid_of(g_daemons[i]);
}

static int node_of(const char *name)
{
    return name && name[0] == 'n' ? atoi(name + 1) - 1 : -1;
}

Test(nats_cluster_load, kill_a_node_then_lame_duck_under_load)
{
    struct fixture f;
    long pids[NDAEMONS], after[NDAEMONS];
    jsStreamInfo *si;
    PGconn *pg = it_pg();
    char *since;
    int victim, ldm, from, fails;
    double t_kill, t_ldm, last_fail, t_begin = it_now_ms();

    since = it_pg_value(pg, "SELECT clock_timestamp()::text", 0, NULL);
    cr_assert(events_healthy(60000, NODES), "EVENTS (made with 1 replica) now current on 3 nodes");
    si = events_info();
    cr_assert(eq(i64, si->Config->Replicas, 3), "EVENTS_REPLICAS=3 raised EVENTS to 3 replicas");
    victim = node_of(si->Cluster->Leader);
    cr_assert(ge(int, victim, 0), "leader %s", si->Cluster->Leader);
    printf("nats_cluster_load: EVENTS has %d replicas, leader n%d\n", (int)si->Config->Replicas,
           victim + 1);
    jsStreamInfo_Destroy(si);
    make_fixture(&f);
    daemon_pids(pids);

    /* 1. kill -9 the node leading EVENTS, under load */
    load_for(&f, 3000);
    fails = report("before the kill", 0, g_ns, t_begin, NULL);
    cr_assert(eq(int, fails, 0), "the cluster serves before the kill");
    from = g_ns;
    t_kill = it_now_ms();
    it_nats_stop(g_pid[victim], SIGKILL);
    g_pid[victim] = -1;
    load_for(&f, PHASE_MS);
    fails = report("after kill -9 of the EVENTS leader", from, g_ns, t_kill, &last_fail);
    assert_statuses_expected(from, g_ns);
    printf("nats_cluster_load: error window after kill -9: %.0f ms (the last failed request was "
           "sent then)\n",
           fails ? (last_fail > 0 ? last_fail : 0) : 0.0);
    fflush(stdout);
    cr_assert(lt(dbl, fails ? last_fail : 0.0, 2000.0), "requests served again within 2 s");
    cr_assert(gt(int, g_ns - from, 50), "the load ran");
    daemon_pids(after);
    for (size_t i = 0; i < NDAEMONS; i++) {
        cr_assert(eq(long, after[i], pids[i]), "%s not restarted", g_daemons[i]);
        cr_assert(zero(kill((pid_t)after[i], 0)), "%s alive", g_daemons[i]);
    }
    cr_assert(it_wait_all_ready(15000), "every daemon ready on the survivors");
    check_events(pg, since);

    /* 2. the node comes back; another goes into lame-duck mode */
    start_node(victim);
    cr_assert(events_healthy(60000, NODES), "EVENTS current on 3 nodes again");
    ldm = (victim + 1) % NODES;
    load_for(&f, 1000);
    from = g_ns;
    t_ldm = it_now_ms();
    cr_assert(zero(kill(g_pid[ldm], SIGUSR2)), "n%d into lame-duck mode", ldm + 1);
    load_for(&f, PHASE_MS);
    fails = report("lame duck", from, g_ns, t_ldm, NULL);
    assert_statuses_expected(from, g_ns);
    /* every kind of request leaves the node without a loss: the request
     * path (edge link, workers, pool threads) and the typed RPCs handlers
     * make through nats.c (sign-up: onboarding asks identity), which move
     * to a new connection on the lame-duck notice (cm_nats_ldm.c) */
    {
        char log[400], line[256] = "";
        for (size_t i = 0; i < NDAEMONS; i++) {
            snprintf(log, sizeof log, "%s/log/%s.log", it_env("TEST_VAR_DIR"), g_daemons[i]);
            if (log_has(log, "requests moved off the lame-duck server"))
                snprintf(line + strlen(line), sizeof line - strlen(line), " %s", g_daemons[i]);
        }
        printf("nats_cluster_load: nats.c requests moved off n%d in:%s\n", ldm + 1,
               line[0] ? line : " none (no daemon's nats.c connection was on it)");
        fflush(stdout);
    }
    cr_assert(eq(int, fails, 0), "no request fails in lame duck (counts printed above)");
    cr_assert(gt(int, g_ns - from, 50), "the load ran");
    daemon_pids(after);
    for (size_t i = 0; i < NDAEMONS; i++)
        cr_assert(eq(long, after[i], pids[i]), "%s not restarted", g_daemons[i]);
    printf("nats_cluster_load: %d events checked; whole run %.0f s\n", check_events(pg, since),
           (it_now_ms() - t_begin) / 1000.0);
    free(since);
    js_close();
    PQfinish(pg);
}
