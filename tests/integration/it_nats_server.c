/* it_nats_server.c: the tests' own nats-servers, keys and certificates
 * (it_nats_server.h). */
#include "it_nats_server.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

int it_nats_free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    cr_assert(ge(int, fd, 0));
    cr_assert(zero(bind(fd, (struct sockaddr *)&a, sizeof a)));
    cr_assert(zero(getsockname(fd, (struct sockaddr *)&a, &len)));
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* A new user seed written to path; its public key into pub. */
static void make_key(const char *path, char pub[CM_NKEY_PUBLIC_LEN + 1])
{
    uint8_t raw[32], sk[64];
    char seed[CM_NKEY_SEED_LEN + 1];
    FILE *f = fopen(path, "w");

    randombytes_buf(raw, sizeof raw);
    cm_nkey_encode_seed(raw, seed);
    cr_assert(eq(int, cm_nkey_from_seed(seed, strlen(seed), pub, sk), 0), "our seed reads back");
    cr_assert(eq(int, pub[0], 'U'));
    cr_assert(not(zero(ptr, f)));
    fprintf(f, "%s\n", seed);
    fclose(f);
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    cr_assert(zero(system(cmd)), "%s", cmd);
}

void it_nats_prepare(struct it_nats *n)
{
    char other[CM_NKEY_PUBLIC_LEN + 1];
    const char *d;

    memset(n, 0, sizeof *n);
    cr_assert(ge(int, sodium_init(), 0));
    snprintf(n->dir, sizeof n->dir, "/tmp/it-nats-XXXXXX");
    cr_assert(not(zero(ptr, mkdtemp(n->dir))));
    d = n->dir;
    snprintf(n->seed_file, sizeof n->seed_file, "%s/user.nk", d);
    snprintf(n->other_seed_file, sizeof n->other_seed_file, "%s/other.nk", d);
    make_key(n->seed_file, n->pub);
    make_key(n->other_seed_file, other);
    snprintf(n->ca, sizeof n->ca, "%s/ca.pem", d);
    snprintf(n->other_ca, sizeof n->other_ca, "%s/other-ca.pem", d);
    snprintf(n->cert, sizeof n->cert, "%s/client.pem", d);
    snprintf(n->key, sizeof n->key, "%s/client.key", d);
    snprintf(n->server_cert, sizeof n->server_cert, "%s/server.pem", d);
    snprintf(n->server_key, sizeof n->server_key, "%s/server.key", d);
    run("cd '%s' && exec >openssl.log 2>&1 && "
        "printf 'subjectAltName=IP:127.0.0.1,DNS:nats.it.test\\n' >server.ext && "
        "printf 'extendedKeyUsage=clientAuth\\n' >client.ext && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
        "-out ca.pem -days 2 -subj /CN=it-ca && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
        "other-ca.key -out other-ca.pem -days 2 -subj /CN=it-other-ca && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key "
        "-out server.csr -subj /CN=it-nats && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 2 -extfile server.ext && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key "
        "-out client.csr -subj /CN=it-client && "
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out client.pem -days 2 -extfile client.ext",
        d);
}

int it_nats_listens(int port, double ms)
{
    double until = it_now_ms() + ms;

    for (;;) {
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
        ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return 1;
        if (it_now_ms() > until)
            return 0;
        usleep(50 * 1000);
    }
}

pid_t it_nats_start(struct it_nats *n, const char *name, int port, const char *conf_fmt, ...)
{
    char conf[300], log[300];
    va_list ap;
    FILE *f;
    pid_t pid;

    snprintf(conf, sizeof conf, "%s/%s.conf", n->dir, name);
    snprintf(log, sizeof log, "%s/%s.log", n->dir, name);
    f = fopen(conf, "w");
    cr_assert(not(zero(ptr, f)));
    va_start(ap, conf_fmt);
    vfprintf(f, conf_fmt, ap);
    va_end(ap);
    fclose(f);
    fflush(NULL);
    pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        if (!freopen("/dev/null", "r", stdin) || !freopen(log, "a", stdout) ||
            !freopen(log, "a", stderr))
            _exit(126);
        execlp("nats-server", "nats-server", "-c", conf, (char *)NULL);
        _exit(127);
    }
    cr_assert(it_nats_listens(port, 15000), "nats-server %s listens on %d", name, port);
    return pid;
}

void it_nats_stop(pid_t pid, int sig)
{
    if (pid <= 0)
        return;
    kill(pid, sig ? sig : SIGTERM);
    waitpid(pid, NULL, 0);
}

void it_nats_cleanup(struct it_nats *n)
{
    char cmd[200];

    if (!n->dir[0] || getenv("IT_KEEP_NATS_DIR"))
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", n->dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", n->dir);
}

pid_t it_nats_edge_start(const char *url, const char *log, const char *const *env)
{
    const char *build = getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build";
    char bin[400], port[16], admin[16];
    pid_t pid;

    snprintf(bin, sizeof bin, "%s/bin/edge", build);
    snprintf(port, sizeof port, "%d", it_nats_free_port());
    snprintf(admin, sizeof admin, "%d", it_nats_free_port());
    fflush(NULL);
    pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        setenv("NATS_URL", url, 1);
        setenv("EDGE_PORT", port, 1);
        setenv("ADMIN_PORT", admin, 1);
        setenv("EDGE_THREADS", "1", 1);
        setenv("LOG_LEVEL", "debug", 1);
        for (int i = 0; env && env[i] && env[i + 1]; i += 2)
            setenv(env[i], env[i + 1], 1);
        if (!freopen("/dev/null", "r", stdin) || !freopen(log, "w", stdout) ||
            !freopen(log, "a", stderr))
            _exit(126);
        execl(bin, "edge", (char *)NULL);
        _exit(127);
    }
    return pid;
}

int it_nats_log_has(const char *file, const char *needle)
{
    static char buf[1 << 20];
    FILE *f = fopen(file, "r");
    size_t n;

    if (!f)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

int it_nats_wait_log(const char *file, const char *needle, double ms)
{
    double until = it_now_ms() + ms;

    while (it_now_ms() < until) {
        if (it_nats_log_has(file, needle))
            return 1;
        usleep(50 * 1000);
    }
    return it_nats_log_has(file, needle);
}
