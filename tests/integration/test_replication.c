/* test_replication.c: suite "replication": which services hold a copy of a
 * user: user-replications (#144, #145), replicators (#115, #116) and the
 * RPCs ListUserReplications / RecordUserReplication. A new account is
 * recorded at authz (fed by identity's user events) in the transaction of
 * its "created" event; other services report theirs. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_err.h"
#include "harness.h"
#include "identity.pb-c.h"
#include "test_users_fixtures.h"

TestSuite(replication, .timeout = 60);

static const char *platform(void)
{
    static char tok[4097];
    if (!tok[0])
        it_admin_token(tok);
    return tok;
}

/* The services of user as ListUserReplications answers, joined by ",". */
static void rpc_services(const char *user, char *out, size_t cap)
{
    Identity__ListUserReplicationsRequest rq = IDENTITY__LIST_USER_REPLICATIONS_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    Identity__ListUserReplicationsReply *lr;

    rq.user_id = (char *)user;
    cr_assert(eq(int, ut_rpc("ListUserReplications", &rq.base, &reply), CM_OK));
    lr = identity__list_user_replications_reply__unpack(NULL, reply->payload.len,
                                                        reply->payload.data);
    cr_assert(lr != NULL);
    out[0] = '\0';
    for (size_t i = 0; i < lr->n_services; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "", lr->services[i]);
    identity__list_user_replications_reply__free_unpacked(lr, NULL);
    envelope__rpc_reply__free_unpacked(reply, NULL);
}

/* RecordUserReplication; its code, and created into *created. */
static int rpc_record(const char *user, const char *service, int *created)
{
    Identity__RecordUserReplicationRequest rq = IDENTITY__RECORD_USER_REPLICATION_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    Identity__RecordUserReplicationReply *rr;
    int code;

    rq.user_id = (char *)user;
    rq.service = (char *)service;
    code = ut_rpc("RecordUserReplication", &rq.base, &reply);
    if (code == CM_OK) {
        rr = identity__record_user_replication_reply__unpack(NULL, reply->payload.len,
                                                             reply->payload.data);
        cr_assert(rr != NULL);
        *created = rr->created;
        identity__record_user_replication_reply__free_unpacked(rr, NULL);
    }
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return code;
}

Test(replication, a_new_user_is_held_by_authz_and_visible_to_who_may)
{
    char org[UT_ID_LEN], other[UT_ID_LEN], services[256];
    struct ut_user admin, u, b_admin;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_org(other);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &u);
    ut_account(other, "admin", &b_admin);
    ut_call(&r, "GET", platform(), NULL, "/v1/user-replications/?user-id=%s", u.id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, "\"service\":\"authz\"") != NULL), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, u.id) != NULL));
    it_resp_release(&r);
    rpc_services(u.id, services, sizeof services);
    cr_assert(eq(str, services, "authz"));
    /* the user, an admin of their organization: yes; another tenant: 404 */
    ut_call(&r, "GET", u.token, NULL, "/v1/user-replications/?user-id=%s", u.id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", admin.token, NULL, "/v1/user-replications/?user-id=%s", u.id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", b_admin.token, NULL, "/v1/user-replications/?user-id=%s", u.id);
    ut_assert_error(&r, 404, "user-id");
    it_resp_release(&r);
    ut_call(&r, "GET", admin.token, NULL, "/v1/user-replications/");
    ut_assert_error(&r, 400, "user-id");
    it_resp_release(&r);
    ut_call(&r, "GET", admin.token, NULL, "/v1/user-replications/?user-id=%s&page[limit]=0", u.id);
    ut_assert_error(&r, 400, "page[limit]");
    it_resp_release(&r);
}

Test(replication, services_report_their_copies)
{
    char org[UT_ID_LEN], body[256], services[256], first[1024];
    struct ut_user admin, u;
    struct it_resp r;
    int created = -1;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &u);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"user-replications\",\"attributes\":{\"service\":\"messaging\","
             "\"user-id\":\"%s\"}}}",
             u.id);
    ut_call(&r, "POST", admin.token, body, "/v1/user-replications/");
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", platform(), body, "/v1/user-replications/");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    snprintf(first, sizeof first, "%s", r.body);
    it_resp_release(&r);
    ut_call(&r, "POST", platform(), body, "/v1/user-replications/");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(eq(str, r.body, first), "idempotent: the same record");
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"user-replications\",\"attributes\":{\"service\":\"nope\","
             "\"user-id\":\"%s\"}}}",
             u.id);
    ut_call(&r, "POST", platform(), body, "/v1/user-replications/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    cr_assert(eq(int, rpc_record(u.id, "onboarding", &created), CM_OK));
    cr_assert(eq(int, created, 1));
    cr_assert(eq(int, rpc_record(u.id, "onboarding", &created), CM_OK));
    cr_assert(eq(int, created, 0));
    cr_assert(eq(int, rpc_record(u.id, "nope", &created), CM_ENOTFOUND));
    rpc_services(u.id, services, sizeof services);
    cr_assert(eq(str, services, "authz,messaging,onboarding"));
    /* replicators: the platform admin's; messaging has reported */
    ut_call(&r, "GET", admin.token, NULL, "/v1/replicators/");
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", platform(), NULL, "/v1/replicators/");
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, "\"name\":\"messaging\"") != NULL), "%.300s", r.body);
    {
        json_t *doc = it_json(&r), *item;
        size_t i;
        char id[64] = "";
        json_array_foreach(json_object_get(doc, "data"), i, item)
        {
            json_t *at = json_object_get(item, "attributes");
            if (!strcmp(json_string_value(json_object_get(at, "name")), "messaging")) {
                cr_assert(it_true(json_is_string(json_object_get(at, "last-poll-time"))));
                snprintf(id, sizeof id, "%s", json_string_value(json_object_get(item, "id")));
            }
        }
        json_decref(doc);
        it_resp_release(&r);
        ut_call(&r, "GET", platform(), NULL, "/v1/replicators/%s/", id);
        cr_assert(eq(long, r.status, 200), "%.300s", r.body);
        it_resp_release(&r);
    }
    ut_call(&r, "GET", platform(), NULL, "/v1/replicators/11111111-1111-1111-1111-111111111111/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
}
