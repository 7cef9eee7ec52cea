/* test_authz_projection.c: suite "authz_projection": authz's projection of
 * identity's users, memberships and roles (services/authz/projection.h).
 * Changes made through identity's HTTP API reach authz's tables within
 * seconds; an event whose id the inbox already holds changes nothing; a
 * re-population (authz.rpc.Repopulate) repairs rows deleted or altered by
 * SQL; GET /v1/authz-user-status/{id}/ answers the user, their
 * organization's admin and the platform admin, and nobody else. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_nats.h"
#include "identity.pb-c.h"
#include "it_projection.h"
#include "test_users_fixtures.h"

TestSuite(authz_projection, .timeout = 60);

#define NOW_SQL "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Publishes msg to JetStream on subject with Nats-Msg-Id event_id, as
 * identity's outbox relay does; asserts the stream stored it. */
static void publish_event(const char *subject, const ProtobufCMessage *msg, const char *event_id)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsMsg *m = NULL;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    uint8_t *payload;
    size_t len;
    natsStatus s;

    cr_assert(eq(int,
                 cm_nats_connect(it_env("TEST_NATS_URL"), "test-projection", 1, NULL, &nc),
                 CM_OK));
    payload = cm_pack(msg, &len);
    s = natsConnection_JetStream(&js, nc, NULL);
    if (s == NATS_OK)
        s = natsMsg_Create(&m, subject, NULL, (const char *)payload, (int)len);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Nats-Msg-Id", event_id);
    if (s == NATS_OK)
        s = js_PublishMsg(&pa, js, m, NULL, &jerr);
    cr_assert(eq(int, s, NATS_OK), "publish %s: %s (%d)", subject, natsStatus_GetText(s),
              (int)jerr);
    cr_assert(eq(int, pa->Duplicate, 0), "the stream took %s as a duplicate", event_id);
    jsPubAck_Destroy(pa);
    natsMsg_Destroy(m);
    jsCtx_Destroy(js);
    free(payload);
    cm_nats_close(nc, 1000);
}

/* A fresh uuid into out (37 bytes). */
static void new_uuid(char *out)
{
    char *v = ap_sql("SELECT gen_random_uuid()::text", 0, NULL);

    snprintf(out, 37, "%s", v);
    free(v);
}

Test(authz_projection, identity_changes_reach_authz_tables)
{
    char admin[4097], org[UT_ID_LEN], provider[37];
    struct ut_user u;
    char *v;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ut_org(org);
    ut_account(org, "patient", &u);
    {
        const char *p[3] = {u.id, org, "patient"};
        const char *id[1] = {u.id};
        /* created: the user, its membership and its role */
        ap_wait_sql("created user", AP_USER_SQL, 1, id, "true", AP_WAIT_MS);
        ap_wait_sql("membership", AP_MEMBERSHIP_SQL, 2, p, "1", AP_WAIT_MS);
        ap_wait_sql("patient role", AP_ROLE_SQL, 3, p, "1", AP_WAIT_MS);
        v = ap_sql("SELECT username || ' ' || platform_admin::text || ' ' || "
                   "(latest_event_at IS NOT NULL)::text FROM authz.users WHERE id = $1::uuid",
                   1, id);
        {
            char want[256];
            snprintf(want, sizeof want, "%s false true", u.username);
            cr_assert(eq(str, v, want));
        }
        free(v);
    }
    /* given a role */
    ap_role_id(admin, org, "provider", provider);
    ap_give_role(admin, u.id, provider);
    {
        const char *p[3] = {u.id, org, "provider"};
        ap_wait_sql("provider role", AP_ROLE_SQL, 3, p, "1", AP_WAIT_MS);
    }
    /* removed from the organization: the membership and its roles go */
    ap_org_member(admin, org, "remove-user", u.id, NULL);
    {
        const char *p[2] = {u.id, org};
        ap_wait_sql("membership removed", AP_MEMBERSHIP_SQL, 2, p, "0", AP_WAIT_MS);
        ap_wait_sql("roles removed",
                    "SELECT count(*) FROM authz.user_roles WHERE user_id = $1::uuid "
                    "AND organization_id = $2::uuid",
                    2, p, "0", AP_WAIT_MS);
    }
    /* disabled */
    {
        const char *id[1] = {u.id};
        char path[128];
        struct it_resp r;

        snprintf(path, sizeof path, "/v1/users/%s/disable/", u.id);
        it_call_token(&r, "POST", path, admin, "{}");
        cr_assert(eq(long, r.status, 201), "disable: %.300s", r.body);
        it_resp_release(&r);
        ap_wait_sql("disabled", AP_USER_SQL, 1, id, "false", AP_WAIT_MS);
    }
}

Test(authz_projection, the_platform_admin_is_projected_as_such)
{
    const char *email[1] = {it_env("TEST_ADMIN_EMAIL")};

    IT_REQUIRE_STACK();
    ap_wait_sql("platform admin",
                "SELECT platform_admin::text FROM authz.users WHERE lower(email) = lower($1)", 1,
                email, "true", AP_WAIT_MS);
}

/* An event whose id is already in authz's inbox is acked and skipped: the
 * membership it announces is not written. The events after it are applied
 * (one at a time, in stream order), which shows it was handled. */
Test(authz_projection, an_event_already_in_the_inbox_changes_nothing)
{
    Identity__MembershipChanged m = IDENTITY__MEMBERSHIP_CHANGED__INIT;
    Identity__RoleMembershipChanged role = IDENTITY__ROLE_MEMBERSHIP_CHANGED__INIT;
    char admin[4097], org[UT_ID_LEN], handled[37], fresh[37], marker[64];
    struct ut_user u;
    char *now, *v;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ut_org(org);
    ut_account(org, "patient", &u);
    const char *pair[2] = {u.id, org};
    ap_wait_sql("membership", AP_MEMBERSHIP_SQL, 2, pair, "1", AP_WAIT_MS);
    ap_org_member(admin, org, "remove-user", u.id, NULL);
    ap_wait_sql("membership removed", AP_MEMBERSHIP_SQL, 2, pair, "0", AP_WAIT_MS);

    /* "added" again, under an id the inbox already holds */
    new_uuid(handled);
    {
        const char *p[1] = {handled};
        free(ap_sql("INSERT INTO authz.inbox (consumer, event_id) VALUES ('authz', $1::uuid) "
                    "RETURNING event_id",
                    1, p));
    }
    now = ap_sql(NOW_SQL, 0, NULL);
    m.user_id = u.id;
    m.organization_id = org;
    m.change = "added";
    m.occurred_at = now;
    publish_event("evt.identity.membership.added", &m.base, handled);

    /* then a new event, which must be applied after it */
    new_uuid(fresh);
    it_unique(marker, sizeof marker, "marker-");
    role.user_id = u.id;
    role.organization_id = org;
    role.role_id = fresh;
    role.role_name = marker;
    role.change = "added";
    role.occurred_at = now;
    publish_event("evt.identity.role.added", &role.base, fresh);
    {
        const char *p[3] = {u.id, org, marker};
        ap_wait_sql("the event after it", AP_ROLE_SQL, 3, p, "1", AP_WAIT_MS);
    }
    v = ap_sql(AP_MEMBERSHIP_SQL, 2, pair);
    cr_assert(eq(str, v, "0"), "the skipped event wrote the membership");
    free(v);
    {
        const char *p[2] = {handled, fresh};
        v = ap_sql("SELECT count(*) FILTER (WHERE event_id = $1::uuid) || ' ' || "
                   "count(*) FILTER (WHERE event_id = $2::uuid) FROM authz.inbox "
                   "WHERE consumer = 'authz'",
                   2, p);
        cr_assert(eq(str, v, "1 1"), "one inbox row each");
        free(v);
    }
    free(now);
}

Test(authz_projection, repopulation_repairs_what_sql_broke)
{
    char admin[4097], org[UT_ID_LEN], ghost[37];
    struct ut_user u, w;
    Authz__RepopulateReply *reply = NULL;
    char *before, *v;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ut_org(org);
    ut_account(org, "admin", &u);
    ut_account(org, "patient", &w);
    const char *pu[3] = {u.id, org, "admin"}, *pw[3] = {w.id, org, "patient"};
    const char *idu[1] = {u.id}, *idw[1] = {w.id};
    ap_wait_sql("u's role", AP_ROLE_SQL, 3, pu, "1", AP_WAIT_MS);
    ap_wait_sql("w's role", AP_ROLE_SQL, 3, pw, "1", AP_WAIT_MS);

    /* u vanishes from the projection; w loses its membership and role and
     * looks disabled; a user identity never had appears */
    free(ap_sql("WITH a AS (DELETE FROM authz.user_roles WHERE user_id = $1::uuid), "
                "b AS (DELETE FROM authz.memberships WHERE user_id = $1::uuid) "
                "DELETE FROM authz.users WHERE id = $1::uuid RETURNING id",
                1, idu));
    free(ap_sql("WITH a AS (DELETE FROM authz.user_roles WHERE user_id = $1::uuid), "
                "b AS (DELETE FROM authz.memberships WHERE user_id = $1::uuid) "
                "UPDATE authz.users SET enabled = false WHERE id = $1::uuid RETURNING id",
                1, idw));
    new_uuid(ghost);
    {
        const char *g[2] = {ghost, org};
        free(ap_sql("WITH m AS (INSERT INTO authz.memberships VALUES ($1::uuid, $2::uuid)) "
                    "INSERT INTO authz.users (id, username) VALUES ($1::uuid, 'ghost') "
                    "RETURNING id",
                    2, g));
    }
    before = ap_sql("SELECT last_populated_at::text FROM authz.projection_state", 0, NULL);

    cr_assert(eq(int, ap_repopulate(&reply), 0), "authz.rpc.Repopulate");
    cr_assert(reply->users >= 3, "%u users written", reply->users); /* u, w, the admin */
    cr_assert(reply->removed >= 1, "%u removed", reply->removed);
    cr_assert(reply->last_populated_at[0] != '\0');
    authz__repopulate_reply__free_unpacked(reply, NULL);

    v = ap_sql(AP_ROLE_SQL, 3, pu);
    cr_assert(eq(str, v, "1"), "u's admin role is back");
    free(v);
    v = ap_sql(AP_MEMBERSHIP_SQL, 2, pu);
    cr_assert(eq(str, v, "1"), "u's membership is back");
    free(v);
    v = ap_sql("SELECT username || ' ' || enabled::text || ' ' || "
               "(last_populated_at IS NOT NULL)::text FROM authz.users WHERE id = $1::uuid",
               1, idu);
    {
        char want[256];
        snprintf(want, sizeof want, "%s true true", u.username);
        cr_assert(eq(str, v, want));
    }
    free(v);
    v = ap_sql(AP_ROLE_SQL, 3, pw);
    cr_assert(eq(str, v, "1"), "w's patient role is back");
    free(v);
    v = ap_sql(AP_USER_SQL, 1, idw);
    cr_assert(eq(str, v, "true"), "w is enabled again");
    free(v);
    {
        const char *g[1] = {ghost};
        v = ap_sql("SELECT (SELECT count(*) FROM authz.users WHERE id = $1::uuid) + "
                   "(SELECT count(*) FROM authz.memberships WHERE user_id = $1::uuid)",
                   1, g);
        cr_assert(eq(str, v, "0"), "the user identity never had is gone");
        free(v);
    }
    v = ap_sql("SELECT (last_populated_at > coalesce($1::timestamptz, '-infinity'))::text "
               "FROM authz.projection_state",
               1, (const char *const[]){before});
    cr_assert(eq(str, v, "true"), "projection_state.last_populated_at moved on");
    free(v);
    free(before);
}

Test(authz_projection, user_status_answers_the_right_people)
{
    char admin[4097], org[UT_ID_LEN], other[UT_ID_LEN], unknown[37];
    struct ut_user a, p, q, b;
    json_t *attrs = NULL;
    char *latest;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ut_org(org);
    ut_org(other);
    ut_account(org, "admin", &a);
    ut_account(org, "patient", &p);
    ut_account(org, "patient", &q);
    ut_account(other, "admin", &b);
    const char *pp[2] = {p.id, org}, *idp[1] = {p.id};
    ap_wait_sql("p's membership", AP_MEMBERSHIP_SQL, 2, pp, "1", AP_WAIT_MS);

    /* the user themself: the attributes, and up-to-date once caught up */
    cr_assert(ap_wait_up_to_date(p.token, p.id, 1, AP_WAIT_MS), "up-to-date never became true");
    cr_assert(eq(long, ap_status(p.token, p.id, &attrs), 200));
    latest = ap_sql("SELECT to_char(latest_event_at AT TIME ZONE 'UTC', "
                    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM authz.users WHERE id = $1::uuid",
                    1, idp);
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(attrs, "latest-event-at")), latest));
    cr_assert(it_true(json_is_null(json_object_get(attrs, "last-populated-at")) ||
                      json_is_string(json_object_get(attrs, "last-populated-at"))));
    cr_assert(it_true(json_is_true(json_object_get(attrs, "up-to-date"))));
    /* up to date: this copy's index applied the tables' change log to its end */
    json_int_t applied = json_integer_value(json_object_get(attrs, "index-applied-seq"));
    cr_assert(it_true(json_is_integer(json_object_get(attrs, "index-latest-seq"))));
    cr_assert(ge(long, (long)applied,
                 (long)json_integer_value(json_object_get(attrs, "index-latest-seq"))));
    cr_assert(ge(long, (long)applied, 1), "the projection's rows went through the log");
    cr_assert(eq(sz, json_object_size(attrs), 5));
    json_decref(attrs);
    free(latest);

    /* their organization's admin and the platform admin */
    for (int k = 0; k < 2; k++) { /* the same document as the user's own */
        cr_assert(eq(long, ap_status(k ? admin : a.token, p.id, &attrs), 200));
        cr_assert(it_true(json_is_true(json_object_get(attrs, "up-to-date"))));
        cr_assert(eq(sz, json_object_size(attrs), 5));
        json_decref(attrs);
    }
    /* another member, another organization's admin: as if p did not exist */
    cr_assert(eq(long, ap_status(q.token, p.id, NULL), 404));
    cr_assert(eq(long, ap_status(b.token, p.id, NULL), 404));
    /* unknown and malformed ids, no credentials, unknown parameters */
    new_uuid(unknown);
    cr_assert(eq(long, ap_status(admin, unknown, NULL), 404));
    cr_assert(eq(long, ap_status(admin, "not-a-uuid", NULL), 404));
    cr_assert(eq(long, ap_status(NULL, p.id, NULL), 401));
    {
        char path[256];
        struct it_resp r;

        snprintf(path, sizeof path, "/v1/authz-user-status/%s/?page[limit]=1", p.id);
        it_call_token(&r, "GET", path, admin, NULL);
        ut_assert_error(&r, 400, "page[limit]");
        it_resp_release(&r);
    }
}

/* identity.rpc.ExportUsers with after_id and limit; its reply code, the
 * page into *out on success (caller free_unpacked). */
static int export_page(const char *after_id, unsigned limit, Identity__ExportUsersReply **out)
{
    Identity__ExportUsersRequest rq = IDENTITY__EXPORT_USERS_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    int code;

    rq.after_id = (char *)after_id;
    rq.limit = limit;
    code = ut_rpc("ExportUsers", &rq.base, &reply);
    if (code == 0) {
        *out = identity__export_users_reply__unpack(NULL, reply->payload.len, reply->payload.data);
        cr_assert(ne(ptr, *out, NULL));
    }
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return code;
}

Test(authz_projection, identity_exports_users_in_id_order_with_roles)
{
    char org[UT_ID_LEN], after[37] = "";
    struct ut_user u;
    Identity__ExportUsersReply *page = NULL;
    int more = 1, seen_u = 0, seen_admin = 0, pages = 0;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &u);
    while (more) {
        cr_assert(eq(int, export_page(after, 25, &page), 0));
        cr_assert(page->n_users <= 25);
        for (size_t i = 0; i < page->n_users; i++) {
            const Identity__ExportedUser *x = page->users[i];
            cr_assert(strcmp(x->id, after) > 0, "id order: %s after %s", x->id, after);
            snprintf(after, sizeof after, "%s", x->id);
            if (!strcmp(x->id, u.id)) {
                seen_u = 1;
                cr_assert(eq(str, x->username, u.username));
                cr_assert(eq(int, x->enabled, 1));
                cr_assert(eq(sz, x->n_memberships, 1));
                cr_assert(eq(str, x->memberships[0]->organization_id, org));
                cr_assert(eq(sz, x->memberships[0]->n_role_names, 1));
                cr_assert(eq(str, x->memberships[0]->role_names[0], "admin"));
            }
            if (!strcmp(x->email, it_env("TEST_ADMIN_EMAIL")))
                seen_admin = x->platform_admin;
        }
        more = page->more;
        pages++;
        identity__export_users_reply__free_unpacked(page, NULL);
        cr_assert(pages < 1000);
    }
    cr_assert(seen_u, "the new user is exported");
    cr_assert(seen_admin, "the platform admin is exported as such");
    /* bounds */
    cr_assert(eq(int, export_page("", 0, &page), CM_EINVAL));
    cr_assert(eq(int, export_page("", 1001, &page), CM_EINVAL));
    cr_assert(eq(int, export_page("not-a-uuid", 10, &page), CM_EINVAL));
}
