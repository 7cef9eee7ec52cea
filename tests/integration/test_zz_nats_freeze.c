/* test_zz_nats_freeze.c: suite "zz_nats_freeze": a nats-server that stops
 * answering without closing its sockets (SIGSTOP: what a half-open socket
 * looks like from the client). The services' workers PING their
 * request-path connections every 2 s and give them up after two missed
 * PONGs (issue 10, finding 8), so /readyz turns red within seconds instead
 * of staying green forever; once the server runs again (SIGCONT) everything
 * reconnects and answers. Disturbs the stack; the .fini always lets the
 * server run again and leaves the stack whole (it_stack_restore), so the
 * suite may run in any order (zz_ only groups the disturbing suites). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <unistd.h>

#include "harness.h"

TestSuite(zz_nats_freeze, .timeout = 90);

static void thaw_nats(void)
{
    long pid;

    if (!it_have_stack())
        return;
    pid = it_pid_of("nats");
    if (pid > 0)
        kill((pid_t)pid, SIGCONT);
    it_stack_restore(35000);
}

/* Polls port's /readyz until it answers want, at most timeout_ms; the time
 * it took, or -1. */
static double readyz_becomes(int port, long want, double timeout_ms)
{
    double start = it_now_ms();

    while (it_now_ms() - start < timeout_ms) {
        if (it_admin_status(port, "readyz") == want)
            return it_now_ms() - start;
        usleep(100 * 1000);
    }
    return -1;
}

Test(zz_nats_freeze, workers_notice_a_frozen_server_and_come_back, .fini = thaw_nats)
{
    int identity = it_admin_port("identity", 1), messaging = it_admin_port("messaging", 1);
    long pid;
    double ms;

    IT_REQUIRE_STACK();
    cr_assert(it_wait_all_ready(20000), "the suite is ready");
    pid = it_pid_of("nats");
    cr_assert(ge(long, pid, 1), "nats-server's pid");

    cr_assert(zero(kill((pid_t)pid, SIGSTOP)), "SIGSTOP nats-server");
    /* two PINGs 2 s apart unanswered, the third due: at most ~6 s */
    ms = readyz_becomes(identity, 503, 12000);
    cr_assert(ge(dbl, ms, 0.0), "identity's /readyz turns red while NATS does not answer");
    ms = readyz_becomes(messaging, 503, 12000);
    cr_assert(ge(dbl, ms, 0.0), "messaging's too");

    cr_assert(zero(kill((pid_t)pid, SIGCONT)), "SIGCONT nats-server");
    cr_assert(it_wait_all_ready(20000), "every daemon is ready again");
    cr_assert(it_wait_util_test_ok(10000), "requests are answered again");
}
