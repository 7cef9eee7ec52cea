/* it_authz.c: the authz suites' shared helpers (it_authz.h). */
#include "it_authz.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <unistd.h>

#include "authz.pb-c.h"
#include "cm_nats.h"
#include "harness.h"

void it_authz_index_fresh(void)
{
    PGconn *pg = it_pg();
    double start = it_now_ms();
    long behind = -1;
    while (it_now_ms() - start < 10000) {
        char *v = it_pg_value(pg,
                              "SELECT count(*) FROM authz.index_copies WHERE applied <"
                              " (SELECT coalesce(max(seq), 0) FROM authz.index_log)"
                              " AND seen_at > now() - interval '3 seconds'",
                              0, NULL);
        behind = strtol(v, NULL, 10);
        free(v);
        if (behind == 0)
            break;
        usleep(2000);
    }
    PQfinish(pg);
    cr_assert(eq(long, behind, 0), "every authz copy's access index caught up within 10 s");
}

int it_authz_rpc_check(natsConnection *nc, const char *u, const char *query, int *allow)
{
    Authz__CheckRequest in = AUTHZ__CHECK_REQUEST__INIT;
    char *qs[1] = {(char *)query};
    Envelope__RpcReply *reply = NULL;
    size_t len;
    in.user_id = (char *)u;
    in.access_queries = qs;
    in.n_access_queries = 1;
    uint8_t *payload = cm_pack(&in.base, &len);
    cr_assert(
        eq(int, cm_nats_rpc(nc, "authz.rpc.Check", NULL, NULL, payload, len, 3000, &reply), CM_OK));
    free(payload);
    int code = reply->code;
    if (code == 0) {
        Authz__CheckReply *out =
            authz__check_reply__unpack(NULL, reply->payload.len, reply->payload.data);
        cr_assert(out != NULL);
        *allow = out->allow;
        authz__check_reply__free_unpacked(out, NULL);
    }
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return code;
}
