/* test_nats_creds.c: suite "nats_creds": NATS credentials files (user JWT +
 * NKey seed, NATS_CREDS_FILE) end to end (issue 15). A nats-server of the
 * test's own runs in operator mode (operator JWT, resolver: MEMORY, the
 * system and application accounts preloaded, JetStream on for the
 * application account); tests/node/nats_operator.mjs makes the keys and
 * JWTs as nsc would. With a user of the application account, every daemon
 * of the test stack (restarted with NATS_EXTERNAL_URL) serves: util/test
 * through the edge (edge link, workers' cm_wire), a sign-up (onboarding's
 * typed RPC to identity through nats.c), the organization's event in EVENTS
 * (outbox relay, JetStream through nats.c). A user signed by an account the
 * server does not know is refused by each client (cm_wire, nats.c, the edge
 * binary's link and a service daemon), each saying so in its log, and
 * nothing starts serving. Restores the stack after. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cm_config.h"
#include "cm_nats.h"
#include "cm_wire.h"
#include "harness.h"
#include "it_nats_server.h"
#include "it_onboarding.h"

static struct it_nats g_n; /* only dir is used: no TLS, no NKey users */
static int g_port;
static pid_t g_pid;
static char g_url[64], g_good[200], g_wrong[200];
static int g_restarted;

static const char *const g_daemons[] = {"identity",   "authz",   "messaging",
                                        "onboarding", "privacy", "edge"};
#define NDAEMONS (sizeof g_daemons / sizeof *g_daemons)

/* Keys, JWTs and credentials files (Node), then the server. */
static void start_operator_server(void)
{
    char cmd[512];

    memset(&g_n, 0, sizeof g_n);
    snprintf(g_n.dir, sizeof g_n.dir, "/tmp/it-creds-XXXXXX");
    cr_assert(not(zero(ptr, mkdtemp(g_n.dir))));
    snprintf(cmd, sizeof cmd, "node tests/node/nats_operator.mjs '%s' >'%s/node.log' 2>&1", g_n.dir,
             g_n.dir);
    cr_assert(zero(system(cmd)), "tests/node/nats_operator.mjs made the keys (%s/node.log)",
              g_n.dir);
    snprintf(g_good, sizeof g_good, "%s/good.creds", g_n.dir);
    snprintf(g_wrong, sizeof g_wrong, "%s/wrong.creds", g_n.dir);
    g_port = it_nats_free_port();
    g_pid = it_nats_start(&g_n, "op", g_port,
                          "server_name: op\nlisten: 127.0.0.1:%d\n"
                          "jetstream { store_dir: \"%s/js\" }\n"
                          "include \"auth.conf\"\n",
                          g_port, g_n.dir);
    snprintf(g_url, sizeof g_url, "nats://127.0.0.1:%d", g_port);
}

/* Makes path the process's credentials file, as a daemon's start does. */
static void use_creds(const char *path)
{
    struct cm_config cfg;
    char err[256];

    setenv("NATS_CREDS_FILE", path, 1);
    unsetenv("NATS_NKEY_SEED_FILE");
    cr_assert(eq(int, cm_config_load("identity", cm_config_env, &cfg, err, sizeof err), CM_OK),
              "config: %s", err);
    cm_config_release(&cfg);
}

static void setup_suite_on_creds(void)
{
    IT_REQUIRE_STACK();
    start_operator_server();
    use_creds(g_good);
    setenv("NATS_EXTERNAL_URL", g_url, 1);
    setenv("SIGN_UP_ADDR_LIMIT", "1000000", 1);
    g_restarted = 1;
    for (size_t i = 0; i < NDAEMONS; i++)
        it_stack(NULL, 0, "stop", g_daemons[i], NULL);
    for (size_t i = 0; i < NDAEMONS; i++)
        cr_assert(eq(int, it_stack(NULL, 0, "start", g_daemons[i], NULL), 0),
                  "%s started on the credentials file (log in the stack's folder)", g_daemons[i]);
}

static void teardown(void)
{
    unsetenv("NATS_EXTERNAL_URL");
    unsetenv("NATS_CREDS_FILE");
    unsetenv("SIGN_UP_ADDR_LIMIT");
    if (g_restarted)
        for (size_t i = 0; i < NDAEMONS; i++)
            it_stack(NULL, 0, "stop", g_daemons[i], NULL);
    it_nats_stop(g_pid, SIGKILL);
    g_pid = 0;
    it_nats_cleanup(&g_n);
    if (g_restarted)
        cr_assert(it_stack_restore(90000), "the stack serves again on its own nats-server");
}

TestSuite(nats_creds, .timeout = 180, .fini = teardown);

/* --- the suite on a credentials file */

/* Every identity outbox row written since `since` was sent and is in EVENTS
 * under its id (Nats-Msg-Id), read through nc; the count of rows. */
static int identity_events_in_stream(PGconn *pg, natsConnection *nc, const char *since)
{
    const char *p[1] = {since};
    jsCtx *js = NULL;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    PGresult *res;
    char *unsent = NULL;
    int rows, found = 0;

    for (double until = it_now_ms() + 15000;; usleep(200 * 1000)) {
        free(unsent);
        unsent = it_pg_value(pg,
                             "SELECT count(*) FROM identity.outbox WHERE created_at >= $1 "
                             "AND sent_at IS NULL",
                             1, p);
        if (strcmp(unsent, "0") == 0 || it_now_ms() > until)
            break;
    }
    cr_assert(eq(str, unsent, "0"), "identity's relay sent every row (JetStream acked)");
    free(unsent);
    cr_assert(eq(int, natsConnection_JetStream(&js, nc, NULL), NATS_OK));
    cr_assert(eq(int, js_GetStreamInfo(&si, js, "EVENTS", NULL, &jerr), NATS_OK),
              "EVENTS exists on the operator-mode server (made by a relay)");
    res = PQexecParams(pg,
                       "SELECT id::text, subject FROM identity.outbox WHERE created_at >= $1 "
                       "ORDER BY created_at",
                       1, NULL, p, NULL, NULL, 0);
    cr_assert(eq(int, PQresultStatus(res), PGRES_TUPLES_OK), "%s", PQerrorMessage(pg));
    rows = PQntuples(res);
    /* the stream is this test's alone: read it once */
    size_t nmsgs = si->State.LastSeq >= si->State.FirstSeq && si->State.LastSeq
                       ? (size_t)(si->State.LastSeq - si->State.FirstSeq + 1)
                       : 0;
    char **ids = calloc(nmsgs + 1, sizeof *ids), **subjects = calloc(nmsgs + 1, sizeof *subjects);
    cr_assert(not(zero(ptr, ids)));
    cr_assert(not(zero(ptr, subjects)));
    for (size_t i = 0; i < nmsgs; i++) {
        natsMsg *m = NULL;
        const char *id = NULL;
        if (js_GetMsg(&m, js, "EVENTS", si->State.FirstSeq + i, NULL, &jerr) != NATS_OK)
            continue;
        if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK && id) {
            ids[i] = strdup(id);
            subjects[i] = strdup(natsMsg_GetSubject(m));
        }
        natsMsg_Destroy(m);
    }
    for (int r = 0; r < rows; r++) {
        int here = 0;
        for (size_t i = 0; i < nmsgs && !here; i++)
            here = ids[i] && strcmp(ids[i], PQgetvalue(res, r, 0)) == 0 &&
                   strcmp(subjects[i], PQgetvalue(res, r, 1)) == 0;
        if (!here)
            cr_log_error("nats_creds: not in EVENTS: %s %s", PQgetvalue(res, r, 1),
                         PQgetvalue(res, r, 0));
        found += here;
    }
    for (size_t i = 0; i < nmsgs; i++) {
        free(ids[i]);
        free(subjects[i]);
    }
    free(ids);
    free(subjects);
    PQclear(res);
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    cr_assert(eq(int, found, rows), "every event of identity since the switch is in EVENTS");
    return rows;
}

Test(nats_creds, the_suite_runs_on_a_credentials_file, .init = setup_suite_on_creds)
{
    struct ob_fixture f;
    struct it_resp r;
    char unique[96];
    json_t *body;
    natsConnection *nc = NULL;
    PGconn *pg = it_pg();
    char *since = it_pg_value(pg, "SELECT clock_timestamp()::text", 0, NULL);
    int rows;

    /* the edge's link and messaging's workers (cm_wire) */
    cr_assert(it_wait_util_test_ok(15000), "util/test answers through the edge");
    /* organizations (identity) and a code (onboarding), as the admin */
    ob_fixture_make(&f);
    /* a sign-up: onboarding asks identity (GetOrganization, CreateAccount)
     * over typed RPCs, made through nats.c */
    it_unique(unique, sizeof unique, "creds-");
    strcat(unique, "@creds.example");
    body = ob_sign_up_body(f.code, unique, NULL);
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    cr_assert(eq(long, r.status, 201), "sign-up through typed RPCs: %s", r.body ? r.body : "");
    it_resp_release(&r);
    json_decref(body);
    /* events: the outbox relays publish to EVENTS through nats.c */
    cr_assert(eq(int, cm_nats_connect(g_url, "it-creds", 1, NULL, &nc), CM_OK),
              "the test's nats.c connection with the same credentials file");
    rows = identity_events_in_stream(pg, nc, since);
    cr_assert(ge(int, rows, 2), "the organization's and the account's events at least");
    cr_log_info("nats_creds: util/test, organization, code, sign-up served; %d identity events "
                "in EVENTS",
                rows);
    cm_nats_close(nc, 1000);
    free(since);
    PQfinish(pg);
}

/* --- a user of an account the server does not know */

static int log_has(const char *file, const char *needle)
{
    static char buf[1 << 20];
    FILE *fp = fopen(file, "r");
    size_t n;

    if (!fp)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static int wait_log(const char *file, const char *needle, double ms)
{
    for (double until = it_now_ms() + ms; it_now_ms() < until; usleep(100 * 1000))
        if (log_has(file, needle))
            return 1;
    return log_has(file, needle);
}

/* Runs build's bin/<name> with NATS_URL, the wrong credentials and
 * HANDLER_THREADS 1, logs to <dir>/<name>.log; its pid. With pg, the
 * stack's Postgres as the service's own role. */
static pid_t start_daemon(const char *name, const char *admin_port, int pg)
{
    const char *build = getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build";
    char bin[300], log[300], pw[128] = "", path[400];
    pid_t pid;

    snprintf(bin, sizeof bin, "%s/bin/%s", build, name);
    snprintf(log, sizeof log, "%s/%s.log", g_n.dir, name);
    if (pg) {
        FILE *fp;
        snprintf(path, sizeof path, "%s/secrets/pg_password.%s", it_env("TEST_VAR_DIR"), name);
        fp = fopen(path, "r");
        cr_assert(not(zero(ptr, fp)), "%s", path);
        cr_assert(not(zero(ptr, fgets(pw, sizeof pw, fp))));
        fclose(fp);
        pw[strcspn(pw, "\r\n")] = '\0';
    }
    fflush(NULL);
    pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        char port[16];
        setenv("NATS_URL", g_url, 1);
        setenv("NATS_CREDS_FILE", g_wrong, 1);
        unsetenv("NATS_NKEY_SEED_FILE");
        setenv("ADMIN_PORT", admin_port, 1);
        snprintf(port, sizeof port, "%d", it_nats_free_port());
        setenv("EDGE_PORT", port, 1);
        setenv("EDGE_THREADS", "1", 1);
        setenv("HANDLER_THREADS", "1", 1);
        setenv("LOG_LEVEL", "info", 1);
        if (pg) {
            setenv("PG_HOST", "127.0.0.1", 1);
            setenv("PG_PORT", it_env("PG_PORT"), 1);
            setenv("PG_USER", name, 1);
            setenv("PG_PASSWORD", pw, 1);
            unsetenv("PG_ADMIN_USER");
        }
        if (!freopen("/dev/null", "r", stdin) || !freopen(log, "w", stdout) ||
            !freopen(log, "a", stderr))
            _exit(126);
        execl(bin, name, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Stops pid with SIGTERM (SIGKILL after 10 s); 1 when it exited by itself. */
static int stop_daemon(pid_t pid)
{
    int status;

    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return 1;
        usleep(100 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return 0;
}

Test(nats_creds, a_user_of_another_account_is_refused_by_every_client,
     .init = start_operator_server)
{
    char log[300], edge_log[300], svc_log[300], edge_admin[16], svc_admin[16];
    struct cm_wire_conn *c = NULL;
    natsConnection *nc = NULL;
    volatile int stop = 1; /* one attempt */
    int saved, fd, edge_ready = 0, svc_ready = 0;
    pid_t edge, svc;

    IT_REQUIRE_STACK(); /* the service daemon uses the stack's Postgres */
    /* in this process: the workers' client (cm_wire) and nats.c, logs
     * captured */
    use_creds(g_wrong);
    snprintf(log, sizeof log, "%s/clients.log", g_n.dir);
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(ge(int, fd, 0));
    dup2(fd, STDERR_FILENO);
    close(fd);
    cm_err wire = cm_wire_open(g_url, "it-creds-wrong", 3000, &c);
    cm_err natsc = cm_nats_connect(g_url, "it-creds-wrong", 1, &stop, &nc);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    cr_assert(not(eq(int, wire, CM_OK)), "cm_wire refused");
    cr_assert(eq(int, natsc, CM_EUNAVAIL), "nats.c refused");
    cr_assert(log_has(log, "nats server refused the connection: 'Authorization Violation'"),
              "cm_wire logs the server's refusal (%s)", log);
    cr_assert(log_has(log, "Authentication Violation (Authorization Violation)"),
              "nats.c logs the server's refusal (%s)", log);
    cm_wire_close(c);
    cm_nats_close(nc, 100);

    /* the daemons: the edge (its link and its nats.c connection) and a
     * service (nats.c first; its workers never start) */
    snprintf(edge_admin, sizeof edge_admin, "%d", it_nats_free_port());
    snprintf(svc_admin, sizeof svc_admin, "%d", it_nats_free_port());
    snprintf(edge_log, sizeof edge_log, "%s/edge.log", g_n.dir);
    snprintf(svc_log, sizeof svc_log, "%s/privacy.log", g_n.dir);
    edge = start_daemon("edge", edge_admin, 0);
    svc = start_daemon("privacy", svc_admin, 1);
    int link_refused =
        wait_log(edge_log, "(refused by the server: 'Authorization Violation'), retrying", 15000);
    int edge_natsc = wait_log(edge_log, "Authorization Violation", 15000);
    int svc_natsc = wait_log(svc_log, "Authorization Violation", 15000);
    for (int i = 0; i < 20; i++, usleep(100 * 1000)) {
        edge_ready |= it_admin_status(atoi(edge_admin), "readyz") == 200;
        svc_ready |= it_admin_status(atoi(svc_admin), "readyz") == 200;
    }
    int edge_serving = log_has(edge_log, "edge listening");
    int svc_serving = log_has(svc_log, "serving privacy.http");
    int edge_alive = kill(edge, 0) == 0, svc_alive = kill(svc, 0) == 0;
    stop_daemon(edge);
    stop_daemon(svc);
    cr_assert(link_refused, "the edge's link logs the refusal (%s)", edge_log);
    cr_assert(edge_natsc, "the edge's nats.c connection logs the server's reason (%s)", edge_log);
    cr_assert(svc_natsc, "the service's nats.c connection logs the server's reason (%s)", svc_log);
    cr_assert(not(edge_serving), "the edge never reports serving");
    cr_assert(not(svc_serving), "the service never reports serving");
    cr_assert(not(edge_ready), "the edge's /readyz never 200");
    cr_assert(not(svc_ready), "the service's /readyz never 200");
    cr_assert(edge_alive && svc_alive, "both kept retrying (a credentials rotation is picked up)");
}
