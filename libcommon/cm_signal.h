/* cm_signal.h: how every daemon learns it should stop. SIGTERM and SIGINT
 * set cm_stop_requested (the one mutable global the house style allows);
 * SIGPIPE is ignored so a closed socket is an error return, not a death. */
#ifndef CM_SIGNAL_H
#define CM_SIGNAL_H

#include <signal.h>

extern volatile sig_atomic_t cm_stop_requested;

/* Installs the handlers. Call once at the start of main. */
void cm_signals_install(void);

#endif
