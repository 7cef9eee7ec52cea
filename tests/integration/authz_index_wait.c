/* authz_index_wait.c: it_authz_index_fresh (authz_index_wait.h). */
#include "authz_index_wait.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <unistd.h>

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
