/* test_events.c: the outbox and its relay to the JetStream stream EVENTS
 * (DESIGN.md §5): the bootstrap API user's event is in the stream with
 * Nats-Msg-Id = outbox id; a state change commits its event and the relay
 * publishes it; an event written while NATS is down waits and is published
 * when NATS returns; a republished id is stored once.
 *
 * The stream is read with nats.c's JetStream API on TEST_NATS_URL. Tests
 * that stop NATS or restart identity disturb the shared stack, so the suite
 * sorts late (zz_) and each such test puts the stack back in its .fini. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <criterion/new/assert.h>
#include <nats/nats.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm_outbox.h"
#include "harness.h"
#include "identity.pb-c.h"

#define EVT_API_CLIENT "evt.identity.api_client.changed"

TestSuite(zz_events, .timeout = 90);

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A JetStream context on TEST_NATS_URL; asserts it connects. */
struct js_conn {
    natsConnection *nc;
    jsCtx *js;
};

static void js_open(struct js_conn *c)
{
    natsStatus s = natsConnection_ConnectTo(&c->nc, it_env("TEST_NATS_URL"));
    if (s == NATS_OK)
        s = natsConnection_JetStream(&c->js, c->nc, NULL);
    cr_assert(eq(int, s, NATS_OK), "jetstream on %s: %s", it_env("TEST_NATS_URL"),
              natsStatus_GetText(s));
}

static void js_close(struct js_conn *c)
{
    jsCtx_Destroy(c->js);
    natsConnection_Destroy(c->nc);
    c->js = NULL;
    c->nc = NULL;
}

/* Number of messages in EVENTS whose Nats-Msg-Id is id; the last one's
 * subject and payload go to subject/payload (caller frees) when not NULL. */
static int count_in_stream(jsCtx *js, const char *id, char **subject, uint8_t **payload,
                           size_t *len)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, js, CM_OUTBOX_STREAM, NULL, &jerr);
    int count = 0;

    cr_assert(eq(int, s, NATS_OK), "stream %s: %s (%d)", CM_OUTBOX_STREAM, natsStatus_GetText(s),
              (int)jerr);
    for (uint64_t seq = si->State.FirstSeq; seq && seq <= si->State.LastSeq; seq++) {
        natsMsg *m = NULL;
        const char *mid = NULL;
        if (js_GetMsg(&m, js, CM_OUTBOX_STREAM, seq, NULL, &jerr) != NATS_OK)
            continue; /* deleted */
        if (natsMsgHeader_Get(m, "Nats-Msg-Id", &mid) == NATS_OK && !strcmp(mid, id)) {
            count++;
            if (subject) {
                free(*subject);
                *subject = strdup(natsMsg_GetSubject(m));
            }
            if (payload) {
                free(*payload);
                *len = (size_t)natsMsg_GetDataLength(m);
                *payload = malloc(*len + 1);
                cr_assert(it_true(*payload != NULL));
                memcpy(*payload, natsMsg_GetData(m), *len);
            }
        }
        natsMsg_Destroy(m);
    }
    jsStreamInfo_Destroy(si);
    return count;
}

/* Polls identity.outbox until row id has sent_at set, at most timeout_ms.
 * Returns 1 when it did. */
static int wait_sent(PGconn *pg, const char *id, double timeout_ms)
{
    const char *params[1] = {id};
    double deadline = it_now_ms() + timeout_ms;

    for (;;) {
        char *v = it_pg_value(pg, "SELECT (sent_at IS NOT NULL)::text FROM identity.outbox "
                                  "WHERE id = $1::uuid",
                              1, params);
        int sent = v && !strcmp(v, "true");
        free(v);
        if (sent)
            return 1;
        if (it_now_ms() > deadline)
            return 0;
        sleep_ms(50);
    }
}

/* Writes an ApiClientChanged for api_user_id into identity's outbox the way
 * a service does (cm_outbox_add in a transaction), as the admin role with
 * search_path pinned to identity. The new id goes to out_id. */
static void add_event(PGconn *pg, const char *api_user_id, char out_id[37])
{
    Identity__ApiClientChanged ev = IDENTITY__API_CLIENT_CHANGED__INIT;
    PGresult *res;
    cm_err err;

    ev.client_id = "00000000-0000-0000-0000-000000000000";
    ev.api_user_id = (char *)api_user_id;
    ev.change = "test";
    ev.occurred_at = "2000-01-01T00:00:00.000000Z";
    PQclear(PQexec(pg, "SELECT pg_catalog.set_config('search_path', 'identity', false)"));
    res = PQexec(pg, "BEGIN");
    cr_assert(eq(int, PQresultStatus(res), PGRES_COMMAND_OK));
    PQclear(res);
    err = cm_outbox_add(pg, EVT_API_CLIENT, &ev.base, out_id);
    cr_assert(eq(int, err, CM_OK), "cm_outbox_add: %d", err);
    res = PQexec(pg, "COMMIT");
    cr_assert(eq(int, PQresultStatus(res), PGRES_COMMAND_OK), "commit: %s", PQerrorMessage(pg));
    PQclear(res);
    PQclear(PQexec(pg, "SELECT pg_catalog.set_config('search_path', '', false)"));
}

/* .fini helpers: put the stack back whatever happened; no asserts here. */
static void restore_nats(void)
{
    if (it_have_stack()) {
        it_stack(NULL, 0, "start-nats", NULL);
        it_stack_restore(30000);
    }
}

static void restore_identity(void)
{
    if (it_have_stack()) {
        it_stack(NULL, 0, "start", "identity", NULL);
        it_stack_restore(30000);
    }
}

Test(zz_events, stream_holds_the_bootstrap_users_event)
{
    const char *params[2] = {EVT_API_CLIENT, it_env("TEST_API_USER")};
    struct js_conn c = {0};
    Identity__ApiClientChanged *ev;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    char *id, *client_id, *subject = NULL;
    uint8_t *payload = NULL;
    size_t len = 0;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    id = it_pg_value(pg,
                     "SELECT o.id::text FROM identity.outbox o WHERE o.subject = $1 "
                     "ORDER BY o.created_at LIMIT 1",
                     1, params);
    cr_assert(id != NULL, "no %s event in identity.outbox", EVT_API_CLIENT);
    cr_assert(wait_sent(pg, id, 5000), "outbox row %s has no sent_at", id);
    client_id = it_pg_value(pg, "SELECT id::text FROM identity.api_clients WHERE api_user_id = $1",
                            1, params + 1);
    cr_assert(client_id != NULL);

    js_open(&c);
    cr_assert(eq(int, js_GetStreamInfo(&si, c.js, CM_OUTBOX_STREAM, NULL, &jerr), NATS_OK));
    cr_assert(eq(int, si->Config->SubjectsLen, 1));
    cr_assert(eq(str, (char *)si->Config->Subjects[0], "evt.>"));
    cr_assert(eq(int, si->Config->Storage, js_FileStorage));
    cr_assert(ge(i64, si->Config->Duplicates, 1));
    jsStreamInfo_Destroy(si);

    cr_assert(eq(int, count_in_stream(c.js, id, &subject, &payload, &len), 1),
              "event %s (Nats-Msg-Id) not in the stream exactly once", id);
    cr_assert(eq(str, subject, EVT_API_CLIENT));
    ev = identity__api_client_changed__unpack(NULL, len, payload);
    cr_assert(ev != NULL, "payload is not an ApiClientChanged");
    cr_assert(eq(str, ev->api_user_id, (char *)it_env("TEST_API_USER")));
    cr_assert(eq(str, ev->client_id, client_id));
    cr_assert(eq(str, ev->change, "created"));
    cr_assert(eq(int, (int)strlen(ev->occurred_at), 27), "occurred_at %s", ev->occurred_at);
    identity__api_client_changed__free_unpacked(ev, NULL);
    js_close(&c);
    free(subject);
    free(payload);
    free(client_id);
    free(id);
    PQfinish(pg);
}

Test(zz_events, a_restart_with_the_same_key_publishes_nothing, .fini = restore_identity)
{
    const char *params[1] = {EVT_API_CLIENT};
    char *before, *after;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    before = it_pg_value(pg, "SELECT count(*)::text FROM identity.outbox WHERE subject = $1", 1,
                         params);
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "identity", NULL), 0));
    after = it_pg_value(pg, "SELECT count(*)::text FROM identity.outbox WHERE subject = $1", 1,
                        params);
    cr_assert(eq(str, after, before), "an unchanged bootstrap user wrote an event");
    free(before);
    free(after);
    PQfinish(pg);
}

/* The key hash is changed behind identity's back; at restart identity puts
 * the configured key back (a real key rotation through handlers.c and
 * store.c) and announces it. The credential works again afterwards. */
Test(zz_events, a_key_rotation_commits_its_event_and_reaches_the_stream,
     .fini = restore_identity)
{
    const char *params[2] = {EVT_API_CLIENT, it_env("TEST_API_USER")};
    struct js_conn c = {0};
    Identity__ApiClientChanged *ev;
    char *id, *subject = NULL;
    uint8_t *payload = NULL;
    size_t len = 0;
    PGresult *res;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    res = PQexecParams(pg,
                       "UPDATE identity.api_clients SET key_hash = "
                       "sha256(convert_to(gen_random_uuid()::text, 'UTF8')) "
                       "WHERE api_user_id = $1",
                       1, NULL, params + 1, NULL, NULL, 0);
    cr_assert(eq(str, PQcmdTuples(res), "1"), "update: %s", PQerrorMessage(pg));
    PQclear(res);
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "identity", NULL), 0));

    id = it_pg_value(pg,
                     "SELECT id::text FROM identity.outbox WHERE subject = $1 "
                     "ORDER BY created_at DESC LIMIT 1",
                     1, params);
    cr_assert(id != NULL);
    cr_assert(wait_sent(pg, id, 5000), "key rotation event %s not sent", id);
    js_open(&c);
    cr_assert(eq(int, count_in_stream(c.js, id, &subject, &payload, &len), 1));
    ev = identity__api_client_changed__unpack(NULL, len, payload);
    cr_assert(ev != NULL);
    cr_assert(eq(str, ev->change, "key_rotated"));
    cr_assert(eq(str, ev->api_user_id, (char *)it_env("TEST_API_USER")));
    identity__api_client_changed__free_unpacked(ev, NULL);
    js_close(&c);
    cr_assert(it_wait_util_test_ok(10000), "the bootstrap credential no longer works");
    free(subject);
    free(payload);
    free(id);
    PQfinish(pg);
}

Test(zz_events, nothing_is_lost_while_nats_is_down, .fini = restore_nats)
{
    struct js_conn c = {0};
    const char *params[1];
    char id[37], *v;
    double t0;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    cr_assert(eq(int, it_stack(NULL, 0, "stop-nats", NULL), 0), "stack.sh stop-nats failed");
    add_event(pg, "outbox-while-nats-down", id);
    params[0] = id;

    /* The relay cannot publish: the row stays unsent. */
    sleep_ms(1500);
    v = it_pg_value(pg, "SELECT (sent_at IS NULL)::text FROM identity.outbox WHERE id = $1::uuid",
                    1, params);
    cr_assert(eq(str, v, "true"), "event %s marked sent while NATS was down", id);
    free(v);

    cr_assert(eq(int, it_stack(NULL, 0, "start-nats", NULL), 0), "stack.sh start-nats failed");
    t0 = it_now_ms();
    cr_assert(wait_sent(pg, id, 10000), "event %s not sent within 10 s of NATS's return", id);
    cr_log_info("event sent %.0f ms after NATS came back", it_now_ms() - t0);
    v = it_pg_value(pg, "SELECT (attempts >= 1)::text FROM identity.outbox WHERE id = $1::uuid", 1,
                    params);
    cr_assert(eq(str, v, "true"));
    free(v);
    js_open(&c);
    cr_assert(eq(int, count_in_stream(c.js, id, NULL, NULL, NULL), 1),
              "event %s not in the stream exactly once", id);
    js_close(&c);
    cr_assert(it_wait_all_ready(15000), "the suite is not ready again after NATS's return");
    PQfinish(pg);
}

Test(zz_events, a_republished_event_is_stored_once)
{
    struct js_conn c = {0};
    const char *params[1];
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    natsMsg *m = NULL;
    char id[37], *v;
    natsStatus s;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    add_event(pg, "outbox-republished", id);
    params[0] = id;
    cr_assert(wait_sent(pg, id, 5000), "event %s not sent", id);

    /* The relay publishes it again (as after a crash between ack and
     * update): the stream's duplicate window drops the copy. */
    PQclear(PQexecParams(pg, "UPDATE identity.outbox SET sent_at = NULL WHERE id = $1::uuid", 1,
                         NULL, params, NULL, NULL, 0));
    cr_assert(wait_sent(pg, id, 5000), "event %s not sent again", id);
    v = it_pg_value(pg, "SELECT attempts::text FROM identity.outbox WHERE id = $1::uuid", 1,
                    params);
    cr_assert(eq(str, v, "2"), "the relay did not publish the event twice");
    free(v);

    /* The same id published directly: acknowledged as a duplicate. */
    js_open(&c);
    s = natsMsg_Create(&m, EVT_API_CLIENT, NULL, "x", 1);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Nats-Msg-Id", id);
    if (s == NATS_OK)
        s = js_PublishMsg(&pa, c.js, m, NULL, &jerr);
    cr_assert(eq(int, s, NATS_OK), "publish: %s (%d)", natsStatus_GetText(s), (int)jerr);
    cr_assert(it_true(pa->Duplicate), "JetStream did not flag the copy as a duplicate");
    jsPubAck_Destroy(pa);
    natsMsg_Destroy(m);
    cr_assert(eq(int, count_in_stream(c.js, id, NULL, NULL, NULL), 1),
              "event %s stored more than once", id);
    js_close(&c);
    PQfinish(pg);
}

/* The platform admin identity ensures at start (BOOTSTRAP_ADMIN_EMAIL) was
 * announced with UserChanged "created", committed with the user. */
Test(zz_events, the_bootstrap_admins_creation_is_in_the_stream)
{
    const char *email[1] = {it_env("TEST_ADMIN_EMAIL")};
    const char *params[2] = {"evt.identity.user.created", NULL};
    struct js_conn c = {0};
    Identity__UserChanged *ev = NULL;
    char *id, *user_id, *subject = NULL;
    uint8_t *payload = NULL;
    size_t len = 0;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    user_id = it_pg_value(pg, "SELECT id::text FROM identity.users WHERE username = lower($1)", 1,
                          email);
    cr_assert(user_id != NULL, "no bootstrap admin");
    params[1] = user_id;
    id = it_pg_value(pg,
                     "SELECT id::text FROM identity.outbox WHERE subject = $1 "
                     "AND position(convert_to($2, 'UTF8') IN payload) > 0 "
                     "ORDER BY created_at LIMIT 1",
                     2, params);
    cr_assert(id != NULL, "no UserChanged created for the bootstrap admin in the outbox");
    cr_assert(wait_sent(pg, id, 5000), "event %s not sent", id);
    js_open(&c);
    cr_assert(eq(int, count_in_stream(c.js, id, &subject, &payload, &len), 1));
    cr_assert(eq(str, subject, "evt.identity.user.created"));
    ev = identity__user_changed__unpack(NULL, len, payload);
    cr_assert(ev != NULL, "payload is not a UserChanged");
    cr_assert(eq(str, ev->user_id, user_id));
    cr_assert(eq(str, ev->change, "created"));
    cr_assert(eq(sz, ev->n_organization_ids, (size_t)0), "platform-wide: no organization");
    identity__user_changed__free_unpacked(ev, NULL);
    js_close(&c);
    free(subject);
    free(payload);
    free(id);
    free(user_id);
    PQfinish(pg);
}

/* Presenting a rotated refresh token again revokes its session: the
 * SessionRevoked event (reason refresh_reuse, with the session id) reaches
 * the stream. */
Test(zz_events, a_refresh_token_reuse_revocation_is_in_the_stream)
{
    const char *params[1] = {"evt.identity.session.revoked"};
    char access[4097], refresh[4097], body[4200], *id, *subject = NULL;
    struct js_conn c = {0};
    Identity__SessionRevoked *ev = NULL;
    struct it_resp r;
    uint8_t *payload = NULL;
    size_t len = 0;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    cr_assert(eq(long, it_login(it_env("TEST_ADMIN_EMAIL"), it_env("TEST_ADMIN_PASSWORD"), NULL,
                                access, refresh),
                 201));
    snprintf(body, sizeof body, "{\"refresh-token\": \"%s\"}", refresh);
    it_call_token(&r, "POST", "/v1/refresh-token/", NULL, body);
    cr_assert(eq(long, r.status, 201), "refresh: %s", r.body);
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/refresh-token/", NULL, body);
    cr_assert(eq(long, r.status, 401), "reuse: %s", r.body);
    it_resp_release(&r);

    id = it_pg_value(pg,
                     "SELECT id::text FROM identity.outbox WHERE subject = $1 "
                     "ORDER BY created_at DESC LIMIT 1",
                     1, params);
    cr_assert(id != NULL, "no SessionRevoked in the outbox");
    cr_assert(wait_sent(pg, id, 5000), "event %s not sent", id);
    js_open(&c);
    cr_assert(eq(int, count_in_stream(c.js, id, &subject, &payload, &len), 1));
    cr_assert(eq(str, subject, "evt.identity.session.revoked"));
    ev = identity__session_revoked__unpack(NULL, len, payload);
    cr_assert(ev != NULL, "payload is not a SessionRevoked");
    cr_assert(eq(str, ev->reason, "refresh_reuse"));
    cr_assert(eq(sz, strlen(ev->session_id), (size_t)36));
    cr_assert(ge(i64, ev->revoked_before, 1));
    identity__session_revoked__free_unpacked(ev, NULL);
    js_close(&c);
    free(subject);
    free(payload);
    free(id);
    PQfinish(pg);
}

static void restore_nats_and_identity(void)
{
    unsetenv("STACK_READY_TIMEOUT_S");
    restore_nats();
    restore_identity();
    it_stack_restore(30000);
}

/* A real state change made while NATS is down: the platform admin's
 * password hash is spoiled behind identity's back, identity is restarted
 * with NATS stopped and repairs it at start (bootstrap_admin.c), writing
 * UserChanged "updated" to its outbox. The event waits, unsent, and reaches
 * the stream exactly once when NATS returns. */
Test(zz_events, a_change_made_while_nats_is_down_reaches_the_stream_after,
     .fini = restore_nats_and_identity, .timeout = 120)
{
    char username[256], *t0, *id = NULL, *v, *subject = NULL, access[4097];
    const char *params[2];
    struct js_conn c = {0};
    Identity__UserChanged *ev;
    uint8_t *payload = NULL;
    size_t len = 0;
    double deadline;
    PGresult *res;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    snprintf(username, sizeof username, "%s", it_env("TEST_ADMIN_EMAIL"));
    for (char *p = username; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    params[0] = username;
    res = PQexecParams(pg, "UPDATE identity.users SET password_hash = 'spoiled' WHERE username = $1",
                       1, NULL, params, NULL, NULL, 0);
    cr_assert(eq(str, PQcmdTuples(res), "1"), "update: %s", PQerrorMessage(pg));
    PQclear(res);
    t0 = it_pg_value(pg, "SELECT now()::text", 0, NULL);

    cr_assert(eq(int, it_stack(NULL, 0, "stop", "identity", NULL), 0));
    cr_assert(eq(int, it_stack(NULL, 0, "stop-nats", NULL), 0));
    setenv("STACK_READY_TIMEOUT_S", "2", 1); /* identity cannot be ready without NATS */
    it_stack(NULL, 0, "start", "identity", NULL);
    unsetenv("STACK_READY_TIMEOUT_S");

    params[0] = "evt.identity.user.updated";
    params[1] = t0;
    for (deadline = it_now_ms() + 15000; !id && it_now_ms() < deadline; sleep_ms(100))
        id = it_pg_value(pg,
                         "SELECT id::text FROM identity.outbox WHERE subject = $1 "
                         "AND created_at > $2::timestamptz ORDER BY created_at DESC LIMIT 1",
                         2, params);
    cr_assert(id != NULL, "identity wrote no UserChanged while NATS was down");
    params[0] = id;
    v = it_pg_value(pg, "SELECT (sent_at IS NULL)::text FROM identity.outbox WHERE id = $1::uuid",
                    1, params);
    cr_assert(eq(str, v, "true"), "event %s marked sent while NATS was down", id);
    free(v);

    cr_assert(eq(int, it_stack(NULL, 0, "start-nats", NULL), 0), "stack.sh start-nats failed");
    cr_assert(wait_sent(pg, id, 15000), "event %s not sent after NATS came back", id);
    js_open(&c);
    cr_assert(eq(int, count_in_stream(c.js, id, &subject, &payload, &len), 1),
              "event %s not in the stream exactly once", id);
    cr_assert(eq(str, subject, "evt.identity.user.updated"));
    ev = identity__user_changed__unpack(NULL, len, payload);
    cr_assert(ev != NULL, "payload is not a UserChanged");
    cr_assert(eq(str, ev->username, username));
    cr_assert(eq(str, ev->change, "updated"));
    identity__user_changed__free_unpacked(ev, NULL);
    js_close(&c);
    cr_assert(it_wait_all_ready(20000), "the suite is not ready again");
    it_admin_token(access); /* the repaired password works */
    free(subject);
    free(payload);
    free(id);
    free(t0);
    PQfinish(pg);
}
