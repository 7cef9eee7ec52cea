/* test_privacy_deletion.c: suite "privacy_deletion": deletion requests
 * (#18-#21) and the erasure they promise (issue 12). A person with data in
 * every service (an account from onboarding's sign-up with its codes and
 * email logs, a session, authz's projection, an individual in a care group
 * they lead and are a member of, privacy settings and requests) asks for
 * their deletion with their password; when the request reports done, a scan
 * of every column of every schema (read from information_schema, bytea and
 * outbox payloads included) and of every message of the EVENTS stream
 * finds none of their id, email/username or names, except the documented
 * tombstone (the request's row: its id, states and a keyed hash of the
 * email); their tokens are refused; a neighbour whose address contains
 * theirs keeps everything. The same with a kill -9 of messaging
 * and of privacy itself mid-saga. purge-data (#110) running one step by
 * hand. Error paths of the five operations. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_attach.h"
#include "it_clinical.h"
#include "it_onboarding.h"
#include "test_users_fixtures.h"

#include <nats/nats.h>

void ag_person(const char *org, const char *role, struct ut_user *u);
void ag_individual(const char *token, const char *org, const char *user, char *id);
void ag_group(const char *token, const char *org, const char *parent, const char *extra,
              char *id);
long ag_call(const char *method, const char *token, const char *body, json_t **doc,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The person to delete. */
struct person {
    char id[40];
    char username[128]; /* an address: also their email */
    char first[64], last[64];
    char token[4097];
};

static struct ob_fixture fx;
static struct ut_user admin;

/* SQL value of sql with text parameters (NULL-terminated), caller frees. */
static char *pg_value(const char *sql, ...)
{
    const char *p[4];
    int n = 0;
    va_list ap;
    PGconn *pg = it_pg();
    char *v;

    va_start(ap, sql);
    while (n < 4 && (p[n] = va_arg(ap, const char *)))
        n++;
    va_end(ap);
    v = it_pg_value(pg, sql, n, p);
    PQfinish(pg);
    return v;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to timeout_ms for sql (with a) to give "1"; returns 1 when it did. */
static int wait_sql(const char *sql, const char *a, double timeout_ms)
{
    double end = it_now_ms() + timeout_ms;
    do {
        char *v = pg_value(sql, a, NULL);
        int ok = v && !strcmp(v, "1");
        free(v);
        if (ok)
            return 1;
        sleep_ms(100);
    } while (it_now_ms() < end);
    return 0;
}

/* A person signed up through onboarding with unique names, confirmed,
 * logged in, known to authz's projection, with data in every service. */
static void person_make(struct person *p)
{
    char code[16], extra[256], ind[40], g1[40], g2[40], body[256], key[64], path[256];
    struct it_resp r;
    json_t *sb, *doc;
    char *v;

    memset(p, 0, sizeof *p);
    it_unique(p->username, 64, "del-");
    strcat(p->username, "@example.com");
    it_unique(p->first, sizeof p->first, "Quenbyfirst");
    it_unique(p->last, sizeof p->last, "Xylolast");
    sb = ob_sign_up_body(fx.code, p->username, NULL);
    json_object_set_new(sb, "first-name", json_string(p->first));
    json_object_set_new(sb, "last-name", json_string(p->last));
    ob_sign_up_ok(sb);
    json_decref(sb);
    doc = it_spool_wait(p->username, "sign-up-code", 10000);
    cr_assert(doc != NULL);
    it_spool_code(doc, code, sizeof code);
    json_decref(doc);
    cr_assert(eq(long, ob_confirm(&r, p->username, code, 0), 201), "%s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, it_login(p->username, OB_PASSWORD, NULL, p->token, NULL), 201));
    v = pg_value("SELECT id::text FROM identity.users WHERE username = $1", p->username, NULL);
    cr_assert(v != NULL);
    snprintf(p->id, sizeof p->id, "%s", v);
    free(v);
    cr_assert(wait_sql("SELECT (count(*) > 0)::int::text FROM authz.memberships WHERE user_id = "
                       "$1::uuid",
                       p->id, 20000),
              "authz's projection never learnt the person");
    /* authz: their individual in a group they lead, and membership of another */
    ag_individual(admin.token, fx.org_id, p->id, ind);
    snprintf(extra, sizeof extra, ", \"individual-ids\": [\"%s\"], \"leader-ids\": [\"%s\"]", ind,
             p->id);
    ag_group(admin.token, fx.org_id, NULL, extra, g1);
    ag_group(admin.token, fx.org_id, NULL, NULL, g2);
    snprintf(body, sizeof body, "{\"user-ids\": [\"%s\"]}", p->id);
    cr_assert(eq(long, ag_call("POST", admin.token, body, NULL,
                               "/v1/individual-groups/%s/add-members/", g2),
                 201));
    /* privacy: their own level, and a request of their organization's client */
    it_call_token(&r, "POST", "/configure/me/privacy", p->token, "{\"privacyLevel\": [\"mhci\"]}");
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"del-client-%.20s\","
             "\"organization-id\":\"%s\",\"roles\":[]}},\"meta\":{}}",
             p->id, fx.org_id);
    it_call_token(&r, "POST", "/v1/api-clients/", admin.token, body);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    doc = it_json(&r);
    snprintf(key, sizeof key, "%s",
             json_string_value(json_object_get(
                 json_object_get(json_object_get(doc, "data"), "attributes"), "api-key")));
    json_decref(doc);
    it_resp_release(&r);
    {
        char header[128];
        const char *headers[2] = {header, NULL};
        const char *b = "{\"requestedPrivacyLevel\": [\"transcript\"]}";
        struct it_req rq = {.method = "POST", .path = path, .headers = headers, .body = b,
                            .body_len = strlen(b)};
        snprintf(header, sizeof header, "x-api-key: %s", key);
        snprintf(path, sizeof path, "/configure/participants/%s/privacy", p->username);
        cr_assert(eq(int, it_http(&rq, &r), 0));
        cr_assert(eq(long, r.status, 200), "%s", r.body);
        it_resp_release(&r);
    }
    /* messaging: a password-reset email to them (sent after identity
     * answers: waited for by its kind, so that it cannot arrive after a
     * test has killed messaging or run its step) */
    snprintf(body, sizeof body, "{\"username\": \"%s\"}", p->username);
    it_call_token(&r, "POST", "/v1/forgot-password/", NULL, body);
    it_resp_release(&r);
    cr_assert(wait_sql("SELECT (count(*) > 0)::int::text FROM messaging.email_logs WHERE "
                       "recipient = $1 AND kind = 'reset-code' AND status <> 'queued'",
                       p->username, 20000));
    doc = it_spool_wait(p->username, "reset-code", 20000);
    cr_assert(doc != NULL, "no reset-code email");
    json_decref(doc);
}

/* The organization's clinical API client (admin), made once. */
static struct ic_client clinical;

static void clinical_client(void)
{
    char body[512], name[64];
    struct it_resp r;
    json_t *doc, *a;

    if (clinical.key[0])
        return;
    it_unique(name, sizeof name, "del-clinical-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\",\"roles\":[\"admin\"]}},\"meta\":{}}",
             name, fx.org_id);
    it_call_token(&r, "POST", "/v1/api-clients/", admin.token, body);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    doc = it_json(&r);
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    snprintf(clinical.org, sizeof clinical.org, "%s", fx.org_id);
    snprintf(clinical.user, sizeof clinical.user, "%s",
             json_string_value(json_object_get(a, "api-user-id")));
    snprintf(clinical.key, sizeof clinical.key, "%s",
             json_string_value(json_object_get(a, "api-key")));
    json_decref(doc);
    it_resp_release(&r);
}

/* The person's clinical life, check-ins, feedback and what others made
 * about them: a thread the API client starts with them, which they read
 * and answer with their own token (with an attachment the client uploaded),
 * their clinical profile, a check-in, a feedback comment, an onboarding
 * request and a registration invitation naming their address, an
 * impersonation request by the platform admin, a feature enabled for
 * them, an SSO link. The thread's id to thread (64 bytes), the message they wrote to
 * mine (64 bytes). */
static void person_more(const struct person *p, char *thread, char *mine)
{
    char form[512], path[256], body[768], att[32];
    struct it_resp r;
    json_t *doc = NULL;
    size_t len;
    char *mp;

    clinical_client();
    snprintf(form, sizeof form, "subject=Erasure+ward&message=Please+review&recipients=%s",
             p->username);
    cr_assert(eq(long, ic_api(&clinical, "POST", "/api/2014-08-01/thread/create",
                              "application/x-www-form-urlencoded", form, &doc),
                 200));
    snprintf(thread, 64, "%s", ic_str(doc, "thread_id"));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
    cr_assert(eq(long, ic_token(p->token, "GET", path, NULL, &doc), 200), "they read it");
    json_decref(doc);
    /* an attachment (uploads are the API client's), sent with their message */
    mp = ia_multipart("attachment", "scan.txt", "ward scan", 9, &len);
    cr_assert(eq(long, ic_api(&clinical, "POST", "/api/2014-08-01/attachment",
                              "multipart/form-data; boundary=" IA_BOUNDARY, mp, &doc),
                 200));
    snprintf(att, sizeof att, "%s", ic_str(json_object_get(doc, "attachment"), "id"));
    json_decref(doc);
    free(mp);
    snprintf(body, sizeof body,
             "{\"thread_id\":\"%s\",\"message\":\"On my way\",\"attachment_ids\":[\"%s\"]}",
             thread, att);
    cr_assert(eq(long, ic_token(p->token, "POST", "/api/2014-08-01/message", body, &doc), 200));
    snprintf(mine, 64, "%s", ic_str(doc, "message_id"));
    json_decref(doc);
    /* the API client answers: an unread receipt of theirs */
    snprintf(body, sizeof body, "thread_id=%s&message=Thanks", thread);
    cr_assert(eq(long, ic_api(&clinical, "POST", "/api/2014-08-01/message",
                              "application/x-www-form-urlencoded", body, NULL),
                 200));
    /* their clinical profile */
    snprintf(path, sizeof path, "/api/2015-02-01/admin/users/%s", p->username);
    cr_assert(eq(long, ic_api(&clinical, "PUT", path, "application/x-www-form-urlencoded",
                              "title=Nurse&specialty=Cardiology&status_message=On+call", NULL),
                 200));
    /* a check-in, a feedback comment */
    it_call_token(&r, "POST", "/v1/user-checkins/", p->token,
                  "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {\"source\": "
                  "\"ios\", \"model\": \"iPhone 15\"}}}");
    cr_assert(eq(long, r.status, 201), "check-in: %s", r.body);
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/feedback-comments/", p->token,
                  "{\"data\": {\"type\": \"feedback-comments\", \"attributes\": "
                  "{\"comment\": \"Slow page\", \"current-page\": \"/charts\"}}}");
    cr_assert(eq(long, r.status, 201), "feedback: %s", r.body);
    it_resp_release(&r);
    /* an onboarding request and a registration invitation to their address */
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": "
             "{\"organization\": \"%s\", \"patient-email\": \"%s\"}}}",
             fx.org_id, p->username);
    it_call_token(&r, "POST", "/v1/onboarding-requests/", admin.token, body);
    cr_assert(eq(long, r.status, 201), "onboarding request: %s", r.body);
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"registration-invitations\", \"attributes\": "
             "{\"organization-id\": \"%s\", \"invited-email\": \"%s\"}}}",
             fx.org_id, p->username);
    it_call_token(&r, "POST", "/v1/registration-invitations/", admin.token, body);
    cr_assert(eq(long, r.status, 201), "invitation: %s", r.body);
    it_resp_release(&r);
    /* an impersonation request about them */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"impersonation-requests\",\"attributes\":{\"user-id\":"
             "\"%s\"}}}",
             p->id);
    it_call_token(&r, "POST", "/v1/impersonation-requests/", fx.admin, body);
    cr_assert(r.status == 201 || r.status == 200, "impersonation: %ld %s", r.status, r.body);
    it_resp_release(&r);
    /* an SSO link (OIDC issuer and subject, as a sign-in through the
     * organization's provider records it: written directly, no provider
     * runs here), its subject their address */
    {
        char *v = pg_value("INSERT INTO identity.oidc_links (issuer, subject, user_id) VALUES "
                           "('https://idp.example.com', $1, $2::uuid) RETURNING 1",
                           p->username, p->id, NULL);
        cr_assert(v != NULL);
        free(v);
    }
    /* a feature user layer: a feature enabled for them */
    {
        char fid[64];
        it_unique(fid, sizeof fid, "delfeat");
        for (char *c = fid; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        snprintf(body, sizeof body,
                 "{\"data\":{\"type\":\"features\",\"attributes\":{\"id\":\"%s\","
                 "\"description\":\"d\",\"global-enabled\":false,\"assignable\":true,"
                 "\"stage\":\"beta\"}}}",
                 fid);
        it_call_token(&r, "POST", "/v1/features/", fx.admin, body);
        cr_assert(eq(long, r.status, 201), "feature: %s", r.body);
        it_resp_release(&r);
        snprintf(body, sizeof body, "{\"user-ids\":[\"%s\"],\"state\":\"enabled\"}", p->id);
        snprintf(path, sizeof path, "/v1/features/%s/add-users/", fid);
        it_call_token(&r, "POST", path, fx.admin, body);
        cr_assert(eq(long, r.status, 201), "feature layer: %s", r.body);
        it_resp_release(&r);
    }
}

/* The texts that must disappear. */
static void needles_of(const struct person *p, const char *n[4])
{
    n[0] = p->id;
    n[1] = p->username;
    n[2] = p->first;
    n[3] = p->last;
}

/* Every column of every schema holding one of needles (case-insensitive
 * for text, raw bytes for bytea) outside occurrences of except ("" for
 * none: a neighbour's value that contains a needle): how many
 * (schema.table.column, needle) pairs; the first into where (256 bytes). */
static long scan_database_except(const char *const needles[4], const char *except, char *where)
{
    PGconn *pg = it_pg();
    PGresult *cols = PQexec(pg, "SELECT table_schema, table_name, column_name, data_type "
                                "FROM information_schema.columns c WHERE table_schema NOT IN "
                                "('pg_catalog', 'information_schema') AND table_schema NOT LIKE "
                                "'pg\\_%' AND EXISTS (SELECT 1 FROM information_schema.tables t "
                                "WHERE t.table_schema = c.table_schema AND t.table_name = "
                                "c.table_name AND t.table_type = 'BASE TABLE')");
    long hits = 0;

    where[0] = '\0';
    cr_assert(eq(int, PQresultStatus(cols), PGRES_TUPLES_OK), "%s", PQerrorMessage(pg));
    cr_assert(PQntuples(cols) > 20, "too few columns scanned");
    for (int i = 0; i < PQntuples(cols); i++) {
        char *s = PQescapeIdentifier(pg, PQgetvalue(cols, i, 0), strlen(PQgetvalue(cols, i, 0)));
        char *t = PQescapeIdentifier(pg, PQgetvalue(cols, i, 1), strlen(PQgetvalue(cols, i, 1)));
        char *c = PQescapeIdentifier(pg, PQgetvalue(cols, i, 2), strlen(PQgetvalue(cols, i, 2)));
        int bytea = !strcmp(PQgetvalue(cols, i, 3), "bytea");
        char sql[1024];

        snprintf(sql, sizeof sql,
                 bytea ? "SELECT count(*) FROM %s.%s WHERE position(encode(convert_to($1, 'UTF8'), "
                         "'hex') IN replace(encode(%s, 'hex'), encode(convert_to($2, 'UTF8'), "
                         "'hex'), '')) > 0"
                       : "SELECT count(*) FROM %s.%s WHERE position(lower($1) IN "
                         "replace(lower(%s::text), lower($2), '')) > 0",
                 s, t, c);
        for (int k = 0; k < 4; k++) {
            const char *p[2] = {needles[k], except};
            PGresult *res = PQexecParams(pg, sql, 2, NULL, p, NULL, NULL, 0);
            cr_assert(eq(int, PQresultStatus(res), PGRES_TUPLES_OK), "%s: %s", sql,
                      PQerrorMessage(pg));
            if (atol(PQgetvalue(res, 0, 0)) > 0) {
                if (!hits)
                    snprintf(where, 256, "%s.%s.%s holds needle %d", PQgetvalue(cols, i, 0),
                             PQgetvalue(cols, i, 1), PQgetvalue(cols, i, 2), k);
                hits++;
            }
            PQclear(res);
        }
        PQfreemem(s);
        PQfreemem(t);
        PQfreemem(c);
    }
    PQclear(cols);
    PQfinish(pg);
    return hits;
}

/* 1 when m's data holds one of needles outside occurrences of except;
 * then what and where into where (256 bytes) unless it is NULL. */
static int message_holds(natsMsg *m, const char *const needles[4], const char *except,
                         char *where)
{
    size_t len = (size_t)natsMsg_GetDataLength(m), el = strlen(except);
    char *d = malloc(len + 1), *hit;
    int found = 0;

    cr_assert(d != NULL);
    memcpy(d, natsMsg_GetData(m), len);
    while (el && (hit = memmem(d, len, except, el)))
        memset(hit, 0, el); /* the neighbour's value, blanked */
    for (int k = 0; k < 4 && !found; k++)
        if (memmem(d, len, needles[k], strlen(needles[k]))) {
            found = 1;
            if (where)
                snprintf(where, 256, "seq %llu (%s) holds needle %d",
                         (unsigned long long)natsMsg_GetSequence(m), natsMsg_GetSubject(m), k);
        }
    free(d);
    return found;
}

/* Messages of the EVENTS stream holding one of needles outside
 * occurrences of except (""  for none); the first's subject into where
 * (256 bytes). *total gets how many were read. */
static long scan_events_except(const char *const needles[4], const char *except, char *where,
                               long *total)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    long hits = 0;

    where[0] = '\0';
    *total = 0;
    cr_assert(eq(int, natsConnection_ConnectTo(&nc, it_env("TEST_NATS_URL")), NATS_OK));
    cr_assert(eq(int, natsConnection_JetStream(&js, nc, NULL), NATS_OK));
    cr_assert(eq(int, js_GetStreamInfo(&si, js, "EVENTS", NULL, &jerr), NATS_OK));
    for (uint64_t seq = si->State.FirstSeq; seq && seq <= si->State.LastSeq; seq++) {
        natsMsg *m = NULL;
        if (js_GetMsg(&m, js, "EVENTS", seq, NULL, &jerr) != NATS_OK)
            continue;
        (*total)++;
        hits += message_holds(m, needles, except, hits ? NULL : where);
        natsMsg_Destroy(m);
    }
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return hits;
}

static long scan_database(const char *const needles[4], char *where)
{
    return scan_database_except(needles, "", where);
}

static long scan_events(const char *const needles[4], char *where, long *total)
{
    return scan_events_except(needles, "", where, total);
}

/* POST /v1/deletion-requests/ for p with password; the status, the
 * request's id into id (40 bytes) on 201, the body's doc to *doc when not
 * NULL. */
static long request_deletion(const struct person *p, const char *token, const char *password,
                             char *id, json_t **doc)
{
    char body[512];
    json_t *d = NULL;
    long status;

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"deletion-requests\", \"attributes\": {\"user-id\": \"%s\", "
             "\"password\": \"%s\", \"archive\": false, \"type\": \"indv\"}}}",
             p->id, password);
    status = af_call("POST", "/v1/deletion-requests/", token, body, &d);
    if (status == 201 && id)
        snprintf(id, 40, "%s", af_str(json_object_get(d, "data"), "id"));
    if (doc)
        *doc = d;
    else
        json_decref(d);
    return status;
}

/* The request as the platform admin sees it (caller json_decref). */
static json_t *deletion_read(const char *id)
{
    json_t *doc = NULL;
    cr_assert(eq(long, ag_call("GET", fx.admin, NULL, &doc, "/v1/deletion-requests/%s/", id), 200));
    return doc;
}

/* The state of app's step in doc's progress, "" when absent. */
static const char *step_state(const json_t *doc, const char *app)
{
    json_t *prog = json_object_get(
        json_object_get(json_object_get(doc, "data"), "attributes"), "progress"), *s;
    size_t i;
    json_array_foreach(prog, i, s) if (!strcmp(json_string_value(json_object_get(s, "app")), app))
        return json_string_value(json_object_get(s, "state"));
    return "";
}

/* The request's status attribute ("" when absent). */
static const char *status_of(const json_t *doc)
{
    return af_str(json_object_get(json_object_get(doc, "data"), "attributes"), "status");
}

/* Waits up to timeout_ms for the request's status to be done. */
static int wait_done(const char *id, double timeout_ms)
{
    double end = it_now_ms() + timeout_ms;
    do {
        json_t *doc = deletion_read(id);
        int done = !strcmp(status_of(doc), "done");
        json_decref(doc);
        if (done)
            return 1;
        sleep_ms(250);
    } while (it_now_ms() < end);
    return 0;
}

/* Spool files (the local mail transport's outgoing messages) addressed to
 * the person or holding their first or last name: how many. */
static long spool_traces(const struct person *p)
{
    const char *dir = it_env("TEST_SPOOL_DIR");
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    long hits = 0;

    cr_assert(d != NULL, "no spool folder");
    while ((e = readdir(d))) {
        char path[4096];
        json_t *doc;
        char *text;
        const char *to;

        if (!strstr(e->d_name, ".json"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        doc = json_load_file(path, 0, NULL);
        if (!doc)
            continue;
        to = json_string_value(json_object_get(doc, "to"));
        text = json_dumps(doc, 0);
        if ((to && !strcasecmp(to, p->username)) || (text && (strcasestr(text, p->first) ||
                                                              strcasestr(text, p->last))))
            hits++;
        free(text);
        json_decref(doc);
    }
    closedir(d);
    return hits;
}

/* Everything the erasure promises, once the request is done (except: a
 * neighbour's value containing a needle, "" for none). */
static void assert_erased_except(const struct person *p, const char *id, const char *except)
{
    const char *n[4];
    char where[256];
    long total = 0, hits;
    json_t *doc, *a;
    struct it_resp r;
    char body[256];

    needles_of(p, n);
    doc = deletion_read(id);
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "status")), "done"));
    cr_assert(it_true(json_is_null(json_object_get(a, "email"))));
    cr_assert(it_true(json_is_null(json_object_get(a, "created-by"))));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "progress")), 6));
    for (const char *const *app = (const char *const[]){"identity", "authz", "onboarding",
                                                         "messaging", "privacy", "events", NULL};
         *app; app++)
        cr_assert(eq(str, (char *)step_state(doc, *app), "done"), "%s", *app);
    json_decref(doc);
    hits = scan_database_except(n, except, where);
    cr_assert(eq(long, hits, 0), "database: %s", where);
    hits = scan_events_except(n, except, where, &total);
    cr_assert(total > 0, "no events read");
    cr_assert(eq(long, hits, 0), "EVENTS: %s", where);
    cr_assert(eq(long, spool_traces(p), 0), "spool files to or about them remain");
    /* authz's projection has forgotten them (also in the scan) */
    cr_assert(wait_sql("SELECT (count(*) = 0)::int::text FROM authz.users WHERE id = $1::uuid",
                       p->id, 1));
    /* their token is refused, they cannot log in */
    it_call_token(&r, "GET", "/configure/me/privacy", p->token, NULL);
    cr_assert(eq(long, r.status, 401), "%s", r.body);
    it_resp_release(&r);
    /* they cannot log in, and are told what an unknown username is told */
    {
        json_t *gone = NULL, *unknown = NULL;
        char nobody[96];

        it_unique(nobody, 64, "del-nobody-");
        strcat(nobody, "@example.com");
        cr_assert(eq(long, af_login(p->username, OB_PASSWORD, NULL, &gone), 401));
        af_error_is(gone, 401, "unauthorized", "wrong username or password");
        cr_assert(eq(long, af_login(nobody, OB_PASSWORD, NULL, &unknown), 401));
        cr_assert(it_true(json_equal(gone, unknown)), "an erased account answers otherwise");
        json_decref(gone);
        json_decref(unknown);
    }
    /* the tombstone is found by the email, for the platform admin */
    snprintf(body, sizeof body, "/v1/deletion-requests/?user-email=%s", p->username);
    {
        json_t *list = NULL;
        cr_assert(eq(long, af_call("GET", body, fx.admin, NULL, &list), 200));
        cr_assert(eq(sz, json_array_size(json_object_get(list, "data")), 1));
        cr_assert(eq(str, (char *)af_str(json_array_get(json_object_get(list, "data"), 0), "id"),
                     (char *)id));
        json_decref(list);
    }
}

static void assert_erased(const struct person *p, const char *id)
{
    assert_erased_except(p, id, "");
}

/* What the person wrote in the shared thread stays readable to the API
 * client, its author the tombstone; their receipts and membership are gone. */
static void assert_thread_kept(const char *thread, const char *mine)
{
    char path[256];
    json_t *doc = NULL, *msgs, *m;
    size_t i;
    int found = 0;

    snprintf(path, sizeof path, "/api/2014-08-01/thread/%s/messages", thread);
    cr_assert(eq(long, ic_api(&clinical, "GET", path, NULL, NULL, &doc), 200));
    msgs = json_object_get(json_object_get(doc, "thread"), "messages");
    json_array_foreach(msgs, i, m) found |= !strcmp(ic_str(m, "content"), "On my way");
    cr_assert(it_true(found), "the person's message is gone for the others");
    json_decref(doc);
    cr_assert(wait_sql("SELECT (author_id = 'deleted-user')::int::text FROM "
                       "messaging.clinical_messages WHERE id = $1::uuid",
                       mine, 1));
}

static void setup(void)
{
    IT_REQUIRE_STACK();
    ob_fixture_make(&fx);
    ag_person(fx.org_id, "admin", &admin);
}

static void teardown(void)
{
    it_stack_restore(60000);
}

TestSuite(privacy_deletion, .init = setup, .fini = teardown, .timeout = 240);

Test(privacy_deletion, a_deleted_person_leaves_no_trace_but_the_tombstone)
{
    struct person p;
    char id[40], neighbour[160], code[16], thread[64], mine[64];
    json_t *doc = NULL, *a;
    const char *n[4], *nb[4];
    char where[256];
    long total;
    struct it_resp r;

    person_make(&p);
    person_more(&p, thread, mine);
    /* a neighbour whose address contains the person's: never touched */
    snprintf(neighbour, sizeof neighbour, "x%s", p.username);
    ob_sign_up_and_get_code(fx.code, neighbour, code);
    cr_assert(eq(long, ob_confirm(&r, neighbour, code, 0), 201), "%s", r.body);
    it_resp_release(&r);
    /* before: the scans do find them (the test can see what it looks for) */
    needles_of(&p, n);
    cr_assert(scan_database(n, where) > 0);
    cr_assert(scan_events(n, where, &total) > 0);
    cr_assert(spool_traces(&p) > 0);
    cr_assert(eq(long, request_deletion(&p, p.token, OB_PASSWORD, id, &doc), 201));
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "created-by")), p.id));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "type")), "indv"));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "progress")), 6));
    json_decref(doc);
    cr_assert(wait_done(id, 90000), "the deletion did not finish");
    assert_erased_except(&p, id, neighbour);
    assert_thread_kept(thread, mine);
    nb[0] = nb[1] = nb[2] = nb[3] = neighbour;
    cr_assert(scan_events(nb, where, &total) > 0, "the neighbour's events were erased too");
    cr_assert(eq(long, it_login(neighbour, OB_PASSWORD, NULL, NULL, NULL), 201));
    cr_assert(wait_sql("SELECT (count(*) = 1)::int::text FROM messaging.email_logs WHERE "
                       "recipient = $1",
                       neighbour, 1));
}

Test(privacy_deletion, the_saga_survives_kill_9_of_a_service_and_of_privacy)
{
    struct person p;
    char id[40], id2[40], thread[64], mine[64];
    json_t *doc;
    double end;

    person_make(&p);
    person_more(&p, thread, mine);
    cr_assert(eq(int, kill((pid_t)it_pid_of("messaging"), SIGKILL), 0));
    cr_assert(eq(long, request_deletion(&p, p.token, OB_PASSWORD, id, NULL), 201));
    /* the steps before messaging finish; messaging's waits */
    end = it_now_ms() + 60000;
    for (;;) {
        int there;
        doc = deletion_read(id);
        there = !strcmp(step_state(doc, "onboarding"), "done");
        if (there) {
            cr_assert(eq(str, (char *)step_state(doc, "identity"), "done"));
            cr_assert(eq(str, (char *)step_state(doc, "authz"), "done"));
            cr_assert(eq(str, (char *)step_state(doc, "messaging"), "pending"));
            cr_assert(eq(str, (char *)status_of(doc), "running"));
        }
        json_decref(doc);
        if (there)
            break;
        cr_assert(it_now_ms() < end, "identity, authz and onboarding never finished");
        sleep_ms(200);
    }
    /* a second request while one runs: the account is already gone, its
     * token with it (identity's step revoked it) */
    cr_assert(eq(long, request_deletion(&p, p.token, OB_PASSWORD, id2, &doc), 401));
    af_error_is(doc, 401, "unauthorized", "invalid or expired access token");
    json_decref(doc);
    /* privacy dies too, mid-saga; both come back */
    cr_assert(eq(int, kill((pid_t)it_pid_of("privacy"), SIGKILL), 0));
    sleep_ms(500);
    cr_assert(eq(int, it_stack(NULL, 0, "start", "messaging", NULL), 0));
    cr_assert(eq(int, it_stack(NULL, 0, "start", "privacy", NULL), 0));
    cr_assert(it_wait_all_ready(60000));
    cr_assert(wait_done(id, 90000), "the deletion did not finish after the restarts");
    assert_erased(&p, id);
    assert_thread_kept(thread, mine);
}

/* A replica identity names in user-replications (an outside replicator)
 * is a step of its own, reported in progress; the request is done only
 * when that replica reports through update-status with the step's
 * reference-id, after every service's step. */
Test(privacy_deletion, an_outside_replica_is_a_step_until_it_reports)
{
    struct person p;
    char id[40], name[64], body[256], *v;
    const char *ref = NULL;
    json_t *doc, *s;
    size_t i;
    double end;

    person_make(&p);
    snprintf(name, sizeof name, "wh-%.8s", p.id);
    v = pg_value("INSERT INTO identity.replicators (name, classpath) VALUES ($1, 'a warehouse') "
                 "RETURNING 1",
                 name, NULL);
    free(v);
    v = pg_value("INSERT INTO identity.user_replications (user_id, service) VALUES ($1::uuid, $2) "
                 "RETURNING 1",
                 p.id, name, NULL);
    cr_assert(v != NULL);
    free(v);
    cr_assert(eq(long, request_deletion(&p, p.token, OB_PASSWORD, id, &doc), 201));
    cr_assert(eq(sz, json_array_size(json_object_get(
                         json_object_get(json_object_get(doc, "data"), "attributes"), "progress")),
                 7));
    cr_assert(eq(str, (char *)step_state(doc, name), "pending"));
    json_decref(doc);
    /* every service's step finishes; the replica's waits, and so the request */
    end = it_now_ms() + 90000;
    for (;;) {
        int there;
        doc = deletion_read(id);
        there = !strcmp(step_state(doc, "events"), "done");
        if (there) {
            cr_assert(eq(str, (char *)step_state(doc, name), "pending"));
            cr_assert(eq(str, (char *)status_of(doc), "running"));
            json_array_foreach(json_object_get(json_object_get(json_object_get(doc, "data"),
                                                               "attributes"),
                                               "progress"),
                               i, s) if (!strcmp(json_string_value(json_object_get(s, "app")),
                                                 name)) ref =
                json_string_value(json_object_get(s, "reference-id"));
            cr_assert(ref != NULL);
            snprintf(body, sizeof body, "{\"reference-id\": \"%s\", \"state\": \"done\"}", ref);
        }
        json_decref(doc);
        if (there)
            break;
        cr_assert(it_now_ms() < end, "the services' steps never finished");
        sleep_ms(250);
    }
    sleep_ms(1000);
    doc = deletion_read(id);
    cr_assert(eq(str, (char *)status_of(doc), "running"), "done without the replica");
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", fx.admin, body, NULL,
                               "/v1/deletion-requests/%s/update-status/", id),
                 201));
    cr_assert(wait_done(id, 30000), "not done after the replica reported");
    doc = deletion_read(id);
    cr_assert(eq(str, (char *)step_state(doc, name), "done"));
    json_decref(doc);
}

Test(privacy_deletion, refusals)
{
    struct person p;
    struct ut_user other;
    char id[40], body[512], path[256];
    json_t *doc = NULL;

    person_make(&p);
    ag_person(fx.org_id, NULL, &other);
    /* anonymous, a wrong password, someone else's account, bad bodies */
    cr_assert(eq(long, request_deletion(&p, NULL, OB_PASSWORD, id, NULL), 401));
    cr_assert(eq(long, request_deletion(&p, p.token, "not-my-password", id, &doc), 403));
    cr_assert(eq(str, (char *)af_error(doc, 403, "/data/attributes/password"),
                 "the password is wrong"));
    json_decref(doc);
    cr_assert(eq(long, request_deletion(&p, other.token, UT_PASSWORD, id, &doc), 404));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"deletion-requests\", \"attributes\": {\"user-id\": \"%s\"}}}",
             p.id);
    cr_assert(eq(long, af_call("POST", "/v1/deletion-requests/", p.token, body, &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/password") != NULL));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"deletion-requests\", \"attributes\": {\"user-id\": \"%s\", "
             "\"password\": \"x\", \"type\": \"group\"}}}",
             p.id);
    cr_assert(eq(long, af_call("POST", "/v1/deletion-requests/", p.token, body, &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/type") != NULL));
    json_decref(doc);
    /* nothing was started by any of these */
    cr_assert(wait_sql("SELECT (count(*) = 0)::int::text FROM privacy.deletion_requests WHERE "
                       "user_id = $1::uuid",
                       p.id, 1));
    /* a real one: only they and the platform admin read it */
    cr_assert(eq(long, request_deletion(&p, p.token, OB_PASSWORD, id, NULL), 201));
    cr_assert(eq(long, ag_call("GET", other.token, NULL, NULL, "/v1/deletion-requests/%s/", id),
                 404));
    cr_assert(eq(long, ag_call("GET", admin.token, NULL, NULL, "/v1/deletion-requests/%s/", id),
                 404));
    cr_assert(eq(long, ag_call("GET", NULL, NULL, NULL, "/v1/deletion-requests/%s/", id), 401));
    cr_assert(eq(long, ag_call("GET", fx.admin, NULL, NULL, "/v1/deletion-requests/%s/",
                               "not-a-uuid"),
                 404));
    /* the list needs user-email, and shows others nothing */
    cr_assert(eq(long, ag_call("GET", fx.admin, NULL, &doc, "/v1/deletion-requests/"), 400));
    cr_assert(it_true(af_error(doc, 400, NULL) != NULL));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/deletion-requests/?user-email=%s", p.username);
    cr_assert(eq(long, af_call("GET", path, other.token, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    /* update-status: the platform admin only, with a step's reference-id */
    cr_assert(eq(long, ag_call("POST", other.token, "{\"reference-id\": \"" 
                               "00000000-0000-4000-8000-000000000000\", \"state\": \"done\"}",
                               NULL, "/v1/deletion-requests/%s/update-status/", id),
                 404));
    cr_assert(eq(long, ag_call("POST", fx.admin, "{\"reference-id\": \""
                               "00000000-0000-4000-8000-000000000000\", \"state\": \"done\"}",
                               &doc, "/v1/deletion-requests/%s/update-status/", id),
                 404));
    json_decref(doc);
    cr_assert(eq(long, ag_call("POST", fx.admin, "{\"reference-id\": \""
                               "00000000-0000-4000-8000-000000000000\", \"state\": \"later\"}",
                               &doc, "/v1/deletion-requests/%s/update-status/", id),
                 400));
    json_decref(doc);
    cr_assert(wait_done(id, 90000));
}

/* POST /v1/purge-data/ as token for request id's step of app, naming
 * entity; the status (body to *doc when not NULL). */
static long purge_data(const char *token, const char *id, const char *app, const char *etype,
                       const char *entity, json_t **doc)
{
    char body[768], *ref = pg_value("SELECT reference_id::text FROM privacy.deletion_steps WHERE "
                                    "request_id = $1::uuid AND app = $2",
                                    id, app, NULL);
    long status;

    cr_assert(ref != NULL);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"system-purges\", \"attributes\": {\"request-id\": \"%s\", "
             "\"reference-id\": \"%s\", \"entity-type\": \"%s\", \"entity-id\": \"%s\", "
             "\"archive\": false}}}",
             id, ref, etype, entity);
    free(ref);
    status = af_call("POST", "/v1/purge-data/", token, body, doc);
    return status;
}

Test(privacy_deletion, purge_data_runs_one_step_for_the_platform_admin)
{
    struct person p;
    char id[40];
    json_t *doc = NULL;
    double end;

    person_make(&p);
    cr_assert(eq(int, kill((pid_t)it_pid_of("messaging"), SIGKILL), 0));
    cr_assert(eq(long, request_deletion(&p, p.token, OB_PASSWORD, id, NULL), 201));
    /* refusals */
    cr_assert(eq(long, purge_data(NULL, id, "messaging", "user", p.id, NULL), 401));
    cr_assert(eq(long, purge_data(admin.token, id, "messaging", "user", p.id, &doc), 403));
    json_decref(doc);
    cr_assert(eq(long, purge_data(fx.admin, id, "messaging", "group", p.id, &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/entity-type") != NULL));
    json_decref(doc);
    cr_assert(eq(long, purge_data(fx.admin, id, "messaging", "user", admin.id, &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/entity-id") != NULL));
    json_decref(doc);
    /* messaging is down: not done, and said so */
    cr_assert(eq(long, purge_data(fx.admin, id, "messaging", "user", p.id, &doc), 503));
    json_decref(doc);
    cr_assert(eq(int, it_stack(NULL, 0, "start", "messaging", NULL), 0));
    cr_assert(it_wait_all_ready(60000));
    /* now the step runs at once, and again is harmless */
    cr_assert(eq(long, purge_data(fx.admin, id, "messaging", "individual", p.id, &doc), 201));
    cr_assert(it_true(json_is_null(doc)) || doc == NULL);
    json_decref(doc);
    doc = deletion_read(id);
    cr_assert(eq(str, (char *)step_state(doc, "messaging"), "done"));
    json_decref(doc);
    cr_assert(eq(long, purge_data(fx.admin, id, "messaging", "user", p.id, NULL), 201));
    end = it_now_ms() + 90000;
    cr_assert(wait_done(id, end - it_now_ms()));
    assert_erased(&p, id);
}
