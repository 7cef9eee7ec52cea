/* cm_signal.c: the stop flag and its signal handlers. */
#include "cm_signal.h"

volatile sig_atomic_t cm_stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    cm_stop_requested = 1;
}

void cm_signals_install(void)
{
    struct sigaction sa = {0};

    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
