/* it_nats_server.h: a nats-server of the test's own (not the stack's), for
 * the suites that need NATS set up as production runs it: NKey users, TLS
 * with certificates made by the test (openssl CLI), a cluster. Everything
 * lives in a fresh folder under /tmp that it_nats_cleanup removes. */
#ifndef IT_NATS_SERVER_H
#define IT_NATS_SERVER_H

#include <sys/types.h>

#include "cm_nkey.h"

struct it_nats {
    char dir[128];
    char seed_file[200]; /* the user NKey seed the servers admit */
    char pub[CM_NKEY_PUBLIC_LEN + 1];
    char other_seed_file[200];              /* a valid seed no server knows */
    char ca[200], cert[200], key[200];      /* CA; client certificate and key */
    char server_cert[200], server_key[200]; /* SAN IP:127.0.0.1 and DNS:nats.it.test */
    char other_ca[200];                     /* a CA that signed nothing here */
};

/* Fresh folder, two user seeds, and the certificates. */
void it_nats_prepare(struct it_nats *n);

/* A TCP port nobody listens on right now. */
int it_nats_free_port(void);

/* Starts nats-server -c <dir>/<name>.conf holding conf (a format string),
 * waits until it listens on port (15 s); its pid. */
pid_t it_nats_start(struct it_nats *n, const char *name, int port, const char *conf_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* SIGTERM (or sig) and reap. */
void it_nats_stop(pid_t pid, int sig);

/* Waits until port accepts TCP connections, at most ms; 1 when it does. */
int it_nats_listens(int port, double ms);

/* Removes the folder. */
void it_nats_cleanup(struct it_nats *n);

/* Starts the edge binary ($BUILD/bin/edge) with one loop, a debug log into
 * the file log, free ports, NATS_URL=url and the settings of env (name,
 * value, ..., NULL; env may be NULL); its pid (stop it with it_nats_stop). */
pid_t it_nats_edge_start(const char *url, const char *log, const char *const *env);

/* Does the file (its first MiB) contain needle? */
int it_nats_log_has(const char *file, const char *needle);

/* Polls file for needle up to ms; 1 once it shows. */
int it_nats_wait_log(const char *file, const char *needle, double ms);

#endif
