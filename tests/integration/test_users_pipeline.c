/* test_users_pipeline.c: GET /v1/users/{id} when a worker reads several
 * requests at once and their statements go to Postgres in one libpq
 * pipeline (libcommon/cm_batch.h, cm_pg_pipe.h; issue 16).
 *
 * The service-level tests publish bursts of HttpRequests straight onto
 * identity.http in one write, as the edge does under load, so that workers
 * read several at once; each reply must still be its own request's answer,
 * and identity's pg_pipelined_statements gauge must show that pipelines ran.
 * The pg_pipeline suite runs cm_pg_pipeline on TEST_PG_URL directly: a
 * failing statement spoils none of the others, each is its own
 * transaction, and the connection is usable afterwards. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_nats.h"
#include "cm_pg.h"
#include "cm_pg_pipe.h"
#include "envelope.pb-c.h"
#include "harness.h"
#include "test_users_fixtures.h"

#define BURST_MAX 96
#define MISSING_ID "00000000-0000-4000-8000-00000000dead"

/* Who asks, and about whom, in one request of a burst. */
struct ask {
    const char *caller_id; /* principal's user id */
    const char *org;       /* principal's organization */
    int org_admin;         /* principal holds "admin" there */
    const char *target;    /* the path's {id} */
    const char *username;  /* expected username on 200 */
};

/* What came back for one request. */
struct answer {
    int status; /* 0: no reply */
    char id[UT_ID_LEN];
    char username[96];
    char detail[128];
};

/* Packs the HttpRequest of a as the edge would send it. */
static uint8_t *pack_ask(const struct ask *a, size_t *len)
{
    Envelope__HttpRequest rq = ENVELOPE__HTTP_REQUEST__INIT;
    Envelope__Principal p = ENVELOPE__PRINCIPAL__INIT;
    char path[96], *roles[1] = {"admin"};

    snprintf(path, sizeof path, "/v1/users/%s/", a->target);
    p.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER;
    p.user_id = (char *)a->caller_id;
    p.organization_id = (char *)a->org;
    p.roles = roles;
    p.n_roles = a->org_admin ? 1 : 0;
    rq.request_id = "test-users-pipeline";
    rq.method = "GET";
    rq.path = path;
    rq.query = "";
    rq.principal = &p;
    rq.surface = ENVELOPE__SURFACE__SURFACE_JSONAPI;
    rq.remote_addr = "127.0.0.1";
    return cm_pack(&rq.base, len);
}

/* s, or "" for NULL. */
static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Reads reply m into out. */
static void read_answer(natsMsg *m, struct answer *out)
{
    Envelope__HttpResponse *resp = envelope__http_response__unpack(
        NULL, (size_t)natsMsg_GetDataLength(m), (const uint8_t *)natsMsg_GetData(m));
    json_t *doc;

    cr_assert(resp != NULL, "a reply that is not an HttpResponse");
    out->status = resp->status;
    doc = json_loadb((const char *)resp->body.data, resp->body.len, 0, NULL);
    cr_assert(doc != NULL, "a reply body that is not JSON");
    if (resp->status == 200) {
        json_t *data = json_object_get(doc, "data");
        snprintf(out->id, sizeof out->id, "%s",
                 or_empty(json_string_value(json_object_get(data, "id"))));
        snprintf(out->username, sizeof out->username, "%s",
                 or_empty(json_string_value(
                     json_object_get(json_object_get(data, "attributes"), "username"))));
    } else {
        json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
        snprintf(out->detail, sizeof out->detail, "%s",
                 or_empty(json_string_value(json_object_get(e, "detail"))));
    }
    json_decref(doc);
    envelope__http_response__free_unpacked(resp, NULL);
}

/* Publishes asks[0..n) to identity.http in one flush and collects every
 * reply into answers (matched by reply subject), within 20 s. */
static void burst(natsConnection *nc, const struct ask *asks, int n, struct answer *answers)
{
    natsSubscription *sub = NULL;
    char inbox[64], subject[96];
    double deadline = it_now_ms() + 20000;
    int got = 0;

    cr_assert(n <= BURST_MAX);
    memset(answers, 0, sizeof *answers * (size_t)n);
    snprintf(inbox, sizeof inbox, "_INBOX.pipe%u", (unsigned)(it_now_ms() * 1000) & 0xffffff);
    snprintf(subject, sizeof subject, "%s.*", inbox);
    cr_assert(eq(int, natsConnection_SubscribeSync(&sub, nc, subject), NATS_OK));
    cr_assert(eq(int, natsConnection_Flush(nc), NATS_OK));
    for (int i = 0; i < n; i++) {
        size_t len;
        uint8_t *payload = pack_ask(&asks[i], &len);
        char reply[96];
        snprintf(reply, sizeof reply, "%s.%d", inbox, i);
        cr_assert(eq(int,
                     natsConnection_PublishRequest(nc, "identity.http", reply, payload, (int)len),
                     NATS_OK));
        free(payload);
    }
    cr_assert(eq(int, natsConnection_Flush(nc), NATS_OK));
    while (got < n && it_now_ms() < deadline) {
        natsMsg *m = NULL;
        const char *dot;
        int i;
        if (natsSubscription_NextMsg(&m, sub, 1000) != NATS_OK)
            continue;
        dot = strrchr(natsMsg_GetSubject(m), '.');
        i = dot ? atoi(dot + 1) : -1;
        cr_assert(i >= 0 && i < n && answers[i].status == 0, "reply to %s", natsMsg_GetSubject(m));
        read_answer(m, &answers[i]);
        natsMsg_Destroy(m);
        got++;
    }
    natsSubscription_Destroy(sub);
    cr_assert(eq(int, got, n), "%d of %d replies came back", got, n);
}

/* identity's pg_pipelined_statements (instance 1); 0 before the first. */
static double pipelined(void)
{
    double v = it_metric(it_admin_port("identity", 1), "pg_pipelined_statements", NULL);
    cr_assert(v >= 0, "identity's /metrics did not answer");
    return v;
}

/* Asserts answer a is a's user (200) or the 404 of a user not shown. */
static void expect(const struct ask *a, const struct answer *r, int status, int i)
{
    cr_assert(eq(int, r->status, status), "request %d (%s): status %d, expected %d", i, a->target,
              r->status, status);
    if (status == 200) {
        cr_assert(eq(str, (char *)r->id, (char *)a->target), "request %d: another user's answer",
                  i);
        cr_assert(eq(str, (char *)r->username, (char *)a->username), "request %d", i);
    } else {
        cr_assert(eq(str, (char *)r->detail, "no such user"), "request %d", i);
    }
}

static natsConnection *connect_nats(void)
{
    natsConnection *nc = NULL;
    /* publishes buffered: a burst leaves in one write */
    cr_assert(eq(int, cm_nats_connect(it_env("TEST_NATS_URL"), "test-users-pipeline", 0, NULL, &nc),
                 CM_OK));
    return nc;
}

/* Reads of different users, of a missing one, of one in another
 * organization, and by a patient of someone else, mixed in bursts: each
 * gets its own answer, and pipelines of several statements ran. */
Test(users_pipeline, burst_of_reads_each_gets_its_own_answer, .timeout = 120)
{
    char org[UT_ID_LEN], org2[UT_ID_LEN];
    struct ut_user admin, a, b, other;
    struct ask asks[BURST_MAX];
    static struct answer answers[BURST_MAX];
    int status[BURST_MAX], n = 0, tries;
    double before;
    natsConnection *nc;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_org(org2);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &a);
    ut_account(org, NULL, &b);
    ut_account(org2, NULL, &other);
    while (n + 7 <= 84) {
        asks[n] = (struct ask){admin.id, org, 1, a.id, a.username};
        status[n++] = 200;
        asks[n] = (struct ask){admin.id, org, 1, b.id, b.username};
        status[n++] = 200;
        asks[n] = (struct ask){admin.id, org, 1, admin.id, admin.username};
        status[n++] = 200;
        asks[n] = (struct ask){admin.id, org, 1, other.id, NULL}; /* not in org: 404 */
        status[n++] = 404;
        asks[n] = (struct ask){admin.id, org, 1, MISSING_ID, NULL};
        status[n++] = 404;
        asks[n] = (struct ask){a.id, org, 0, b.id, NULL}; /* a patient: only itself */
        status[n++] = 404;
        asks[n] = (struct ask){a.id, org, 0, a.id, a.username};
        status[n++] = 200;
    }
    nc = connect_nats();
    before = pipelined();
    for (tries = 0; tries < 10; tries++) {
        burst(nc, asks, n, answers);
        for (int i = 0; i < n; i++)
            expect(&asks[i], &answers[i], status[i], i);
        if (pipelined() >= before + 2)
            break;
    }
    cr_assert(tries < 10, "no pipeline of two or more statements in 10 bursts of %d", n);
    cm_nats_close(nc, 1000);
}

/* A user deleted while bursts read it: its reads answer 200 with it or 404,
 * never an error, the other reads of those bursts are untouched, and once
 * deleted it is 404 in every read. */
Test(users_pipeline, user_deleted_mid_batch_spoils_no_other_read, .timeout = 120)
{
    char org[UT_ID_LEN];
    struct ut_user admin, a, gone;
    struct ask asks[BURST_MAX];
    static struct answer answers[BURST_MAX];
    const char *params[1];
    natsConnection *nc;
    PGconn *pg;
    int n = 0;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &a);
    ut_account(org, NULL, &gone);
    while (n + 3 <= 60) {
        asks[n++] = (struct ask){admin.id, org, 1, a.id, a.username};
        asks[n++] = (struct ask){admin.id, org, 1, gone.id, gone.username};
        asks[n++] = (struct ask){admin.id, org, 1, admin.id, admin.username};
    }
    nc = connect_nats();
    pg = it_pg();
    params[0] = gone.id;
    burst(nc, asks, n, answers); /* warm: every read answered as before */
    for (int i = 0; i < n; i++)
        expect(&asks[i], &answers[i], 200, i);
    /* the delete lands while the next burst is being read */
    {
        size_t len;
        uint8_t *payload;
        natsSubscription *sub = NULL;
        char inbox[64], subject[96];
        double deadline = it_now_ms() + 20000;
        int got = 0;
        PGresult *res;

        snprintf(inbox, sizeof inbox, "_INBOX.del%u", (unsigned)(it_now_ms() * 1000) & 0xffffff);
        snprintf(subject, sizeof subject, "%s.*", inbox);
        cr_assert(eq(int, natsConnection_SubscribeSync(&sub, nc, subject), NATS_OK));
        cr_assert(eq(int, natsConnection_Flush(nc), NATS_OK));
        memset(answers, 0, sizeof answers);
        for (int i = 0; i < n; i++) {
            char reply[96];
            payload = pack_ask(&asks[i], &len);
            snprintf(reply, sizeof reply, "%s.%d", inbox, i);
            cr_assert(eq(
                int, natsConnection_PublishRequest(nc, "identity.http", reply, payload, (int)len),
                NATS_OK));
            free(payload);
            if (i == n / 2) { /* half sent: delete, then send the rest */
                cr_assert(eq(int, natsConnection_Flush(nc), NATS_OK));
                res = PQexecParams(pg, "DELETE FROM identity.users WHERE id = $1", 1, NULL, params,
                                   NULL, NULL, 0);
                cr_assert(eq(int, PQresultStatus(res), PGRES_COMMAND_OK), "%s", PQerrorMessage(pg));
                PQclear(res);
            }
        }
        cr_assert(eq(int, natsConnection_Flush(nc), NATS_OK));
        while (got < n && it_now_ms() < deadline) {
            natsMsg *m = NULL;
            const char *dot;
            int i;
            if (natsSubscription_NextMsg(&m, sub, 1000) != NATS_OK)
                continue;
            dot = strrchr(natsMsg_GetSubject(m), '.');
            i = dot ? atoi(dot + 1) : -1;
            cr_assert(i >= 0 && i < n && answers[i].status == 0);
            read_answer(m, &answers[i]);
            natsMsg_Destroy(m);
            got++;
        }
        natsSubscription_Destroy(sub);
        cr_assert(eq(int, got, n), "%d of %d replies came back", got, n);
        for (int i = 0; i < n; i++) {
            if (asks[i].target == gone.id && answers[i].status == 404)
                expect(&asks[i], &answers[i], 404, i);
            else
                expect(&asks[i], &answers[i], 200, i);
        }
    }
    burst(nc, asks, n, answers); /* gone for good: 404 in every read, the rest 200 */
    for (int i = 0; i < n; i++)
        expect(&asks[i], &answers[i], asks[i].target == gone.id ? 404 : 200, i);
    PQfinish(pg);
    cm_nats_close(nc, 1000);
}

/* identity's Postgres connections all closed by the server (as a restart
 * or a failover does) between two bursts: the workers notice inside their
 * pipelines, connect again and run the unanswered statements: every read
 * of the next burst is answered with its own user. */
Test(users_pipeline, reads_survive_closed_connections, .timeout = 120)
{
    char org[UT_ID_LEN];
    struct ut_user admin, a, b;
    struct ask asks[BURST_MAX];
    static struct answer answers[BURST_MAX];
    natsConnection *nc;
    PGconn *pg;
    char *killed;
    int n = 0;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &a);
    ut_account(org, NULL, &b);
    while (n + 3 <= 60) {
        asks[n++] = (struct ask){admin.id, org, 1, a.id, a.username};
        asks[n++] = (struct ask){admin.id, org, 1, b.id, b.username};
        asks[n++] = (struct ask){admin.id, org, 1, admin.id, admin.username};
    }
    nc = connect_nats();
    burst(nc, asks, n, answers);
    for (int i = 0; i < n; i++)
        expect(&asks[i], &answers[i], 200, i);
    pg = it_pg();
    killed = it_pg_value(pg,
                         "SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity "
                         "WHERE usename = 'identity' AND backend_type = 'client backend'",
                         0, NULL);
    cr_assert(killed != NULL && atoi(killed) >= 1, "no identity connection to close");
    free(killed);
    burst(nc, asks, n, answers);
    for (int i = 0; i < n; i++)
        expect(&asks[i], &answers[i], 200, i);
    PQfinish(pg);
    cm_nats_close(nc, 1000);
}

/* --- cm_pg_pipeline itself, on TEST_PG_URL --- */

/* The first column of the one row into dst (a char[64]); CM_ENOTFOUND for
 * no row. */
static cm_err take_text(const PGresult *res, void *dst)
{
    if (PQntuples(res) != 1)
        return CM_ENOTFOUND;
    snprintf(dst, 64, "%s", PQgetvalue(res, 0, 0));
    return CM_OK;
}

/* A one-parameter statement read by take_text. */
#define STMT(q, v, out)                                                                            \
    {                                                                                              \
        .sql = (q), .n = 1, .values = {(v)}, .take = take_text, .dst = (out)                       \
    }

static const char add_sql[] = "SELECT ($1::int + 1)::text";
static const char div_sql[] = "SELECT (1 / $1::int)::text";
static const char none_sql[] = "SELECT 'x' WHERE $1::int = 2";
static const char xid_sql[] = "SELECT pg_current_xact_id()::text WHERE $1::int = 0";

/* A statement failing in the middle of a pipeline (division by zero) gets
 * its own error; those before and after it get their rows; each ran in its
 * own transaction (two that take a transaction id get different ones); the
 * connection is idle and out of pipeline mode afterwards. */
Test(pg_pipeline, failing_statement_spoils_no_other)
{
    char out[7][64] = {{0}};
    struct cm_pg_stmt s[7] = {
        STMT(add_sql, "1", out[0]),  STMT(div_sql, "0", out[1]), STMT(add_sql, "41", out[2]),
        STMT(none_sql, "1", out[3]), STMT(xid_sql, "0", out[4]), STMT(xid_sql, "0", out[5]),
        STMT(div_sql, "1", out[6]),
    };
    const struct cm_pg_stmt *stmts[7];
    cm_err errs[7];
    PGconn *pg;
    PGresult *res;

    IT_REQUIRE_STACK();
    pg = it_pg();
    for (int i = 0; i < 7; i++)
        stmts[i] = &s[i];
    cm_pg_pipeline(pg, stmts, 7, errs);
    cr_assert(eq(int, errs[0], CM_OK));
    cr_assert(eq(str, out[0], "2"));
    cr_assert(eq(int, errs[1], CM_EINVAL), "division by zero is 22012: %s", cm_err_name(errs[1]));
    cr_assert(eq(int, errs[2], CM_OK), "the statement after the failed one: %s",
              cm_err_name(errs[2]));
    cr_assert(eq(str, out[2], "42"));
    cr_assert(eq(int, errs[3], CM_ENOTFOUND));
    cr_assert(eq(int, errs[4], CM_OK));
    cr_assert(eq(int, errs[5], CM_OK));
    cr_assert(strcmp(out[4], out[5]) != 0, "one transaction for two statements (xid %s)", out[4]);
    cr_assert(eq(int, errs[6], CM_OK));
    cr_assert(eq(str, out[6], "1"));
    cr_assert(eq(int, PQpipelineStatus(pg), PQ_PIPELINE_OFF));
    cr_assert(eq(int, PQtransactionStatus(pg), PQTRANS_IDLE));
    cr_assert(eq(int, cm_pg_query(pg, "SELECT 1", 0, NULL, &res), CM_OK));
    PQclear(res);
    /* and again on the same connection: the statements are prepared now */
    memset(out, 0, sizeof out);
    cm_pg_pipeline(pg, stmts, 7, errs);
    cr_assert(eq(int, errs[1], CM_EINVAL));
    cr_assert(eq(str, out[2], "42"));
    cr_assert(eq(str, out[6], "1"));
    PQfinish(pg);
}

/* Inside an open transaction the statements run one by one in it (a
 * pipeline's Syncs would not make them their own transactions there). */
Test(pg_pipeline, inside_a_transaction_runs_one_by_one)
{
    char out[2][64] = {{0}};
    struct cm_pg_stmt s[2] = {STMT(xid_sql, "0", out[0]), STMT(xid_sql, "0", out[1])};
    const struct cm_pg_stmt *stmts[2] = {&s[0], &s[1]};
    cm_err errs[2];
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    cr_assert(eq(int, cm_pg_begin(pg), CM_OK));
    cm_pg_pipeline(pg, stmts, 2, errs);
    cr_assert(eq(int, errs[0], CM_OK));
    cr_assert(eq(int, errs[1], CM_OK));
    cr_assert(eq(str, out[0], out[1]), "the caller's transaction");
    cr_assert(eq(int, cm_pg_commit(pg), CM_OK));
    PQfinish(pg);
}

/* batch form of echo_sql: each value back from its own row; 'skip' has none */
static const char echo_sql[] = "SELECT $1::text WHERE $1::text IS DISTINCT FROM 'skip'";
static const char echo_batch_sql[] =
    "SELECT q.n AS batch_n, q.v FROM unnest($1::text[]) WITH ORDINALITY AS q(v, n) "
    "WHERE q.v IS DISTINCT FROM 'skip'";
static const char echo_batch_fails_sql[] =
    "SELECT q.n AS batch_n, (1 / 0)::text AS v FROM unnest($1::text[]) WITH ORDINALITY "
    "AS q(v, n)";

/* cm_pg_stmt.take_row of the echo statements: column v into dst (a
 * char[64]), "<null>" for NULL. */
static cm_err take_echo_row(const PGresult *res, int row, void *dst)
{
    int c = PQfnumber(res, "v");
    snprintf(dst, 64, "%s", PQgetisnull(res, row, c) ? "<null>" : PQgetvalue(res, row, c));
    return CM_OK;
}

/* The batch form: one statement answers each read from its own row (values
 * with quotes, backslashes, braces and NULL reach it intact), a read
 * without a row is CM_ENOTFOUND; when the batch statement fails, each read
 * runs on its own and gets its own answer. */
Test(pg_pipeline, batch_form_answers_each_from_its_row)
{
    static const char *const vals[4] = {"a\"b\\c", NULL, "skip", "{x,y}"};
    char out[4][64];
    struct cm_pg_stmt s[4];
    const struct cm_pg_stmt *stmts[4];
    cm_err errs[4];
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    for (int pass = 0; pass < 2; pass++) {
        memset(out, 0, sizeof out);
        for (int i = 0; i < 4; i++) {
            s[i] = (struct cm_pg_stmt)STMT(echo_sql, vals[i], out[i]);
            s[i].batch_sql = pass ? echo_batch_fails_sql : echo_batch_sql;
            s[i].take_row = take_echo_row;
            stmts[i] = &s[i];
        }
        cm_pg_batch(pg, stmts, 4, errs);
        cr_assert(eq(int, errs[0], CM_OK), "pass %d", pass);
        cr_assert(eq(str, out[0], "a\"b\\c"), "pass %d", pass);
        cr_assert(eq(int, errs[2], CM_ENOTFOUND), "pass %d", pass);
        cr_assert(eq(int, errs[3], CM_OK), "pass %d", pass);
        cr_assert(eq(str, out[3], "{x,y}"), "pass %d", pass);
        cr_assert(eq(int, errs[1], CM_OK), "pass %d", pass);
        /* NULL: a row with NULL from the batch form, "" through take_text */
        cr_assert(eq(str, out[1], pass ? "" : "<null>"), "pass %d", pass);
        cr_assert(eq(int, PQtransactionStatus(pg), PQTRANS_IDLE));
    }
    PQfinish(pg);
}
