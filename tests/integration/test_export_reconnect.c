/* test_export_reconnect.c: identity.rpc.ExportUsers (authz's re-population
 * source) reads through identity's store and cm_pg, so a Postgres
 * connection that was lost while idle (here: every backend of the identity
 * role terminated by the admin) is re-opened and the page read once more,
 * instead of answering CM_EUNAVAIL to the first export after the loss. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>

#include "cm_err.h"
#include "identity.pb-c.h"
#include "test_users_fixtures.h"

TestSuite(export_reconnect, .timeout = 60);

/* Terminates every connection of the identity role; how many there were. */
static long terminate_identity_backends(void)
{
    PGconn *pg = it_pg();
    char *n = it_pg_value(pg,
                          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                          "WHERE usename = 'identity'",
                          0, NULL);
    long count = n ? atol(n) : 0;

    free(n);
    PQfinish(pg);
    return count;
}

Test(export_reconnect, every_export_after_lost_connections_succeeds)
{
    Identity__ExportUsersRequest rq = IDENTITY__EXPORT_USERS_REQUEST__INIT;
    char org[UT_ID_LEN];
    struct ut_user u;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &u);
    cr_assert(gt(long, terminate_identity_backends(), 0), "identity has connections to lose");
    rq.after_id = "";
    rq.limit = 5;
    /* more calls than identity has workers: each worker's connection is gone */
    for (int i = 0; i < 16; i++) {
        Envelope__RpcReply *reply = NULL;
        Identity__ExportUsersReply *page;
        int code = ut_rpc("ExportUsers", &rq.base, &reply);

        cr_assert(eq(int, code, CM_OK), "export %d after the loss: %s (%s)", i,
                  cm_err_name((cm_err)code), reply->message);
        page = identity__export_users_reply__unpack(NULL, reply->payload.len, reply->payload.data);
        cr_assert(ne(ptr, page, NULL));
        cr_assert(gt(sz, page->n_users, 0), "the page has users");
        cr_assert(le(sz, page->n_users, 5));
        identity__export_users_reply__free_unpacked(page, NULL);
        envelope__rpc_reply__free_unpacked(reply, NULL);
    }
    cr_assert(it_wait_all_ready(30000), "every daemon ready again");
}
