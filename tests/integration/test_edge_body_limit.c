/* test_edge_body_limit.c: the edge refuses to start when MAX_BODY_BYTES
 * cannot fit in one message of the NATS server it connects to (max_payload
 * from the server's INFO), and starts when it fits. A second edge is run
 * beside the stack's, on free ports, against the stack's nats-server. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* A TCP port nobody listens on now. */
static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    cr_assert(fd >= 0);
    cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    cr_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Starts $BUILD/bin/edge with MAX_BODY_BYTES=max_body on free ports, its
 * stderr into the pipe *err (read end); returns its pid. */
static pid_t start_edge(const char *max_body, int *err, int *admin_port)
{
    int fds[2];
    char bin[512], edge_port[16], admin[16];
    const char *build = *it_env("BUILD") ? it_env("BUILD") : "build";
    pid_t pid;

    snprintf(bin, sizeof bin, "%s/bin/edge", build);
    snprintf(edge_port, sizeof edge_port, "%d", free_port());
    *admin_port = free_port();
    snprintf(admin, sizeof admin, "%d", *admin_port);
    cr_assert(pipe(fds) == 0);
    fflush(NULL);
    pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        setenv("NATS_URL", it_env("TEST_NATS_URL"), 1);
        setenv("MAX_BODY_BYTES", max_body, 1);
        setenv("MAX_HEADER_BYTES", "16384", 1);
        setenv("EDGE_HOST", "127.0.0.1", 1);
        setenv("EDGE_PORT", edge_port, 1);
        setenv("ADMIN_HOST", "127.0.0.1", 1);
        setenv("ADMIN_PORT", admin, 1);
        execl(bin, bin, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    *err = fds[0];
    return pid;
}

/* What the exited edge wrote on stderr (at most cap-1 bytes); closes fd. */
static void slurp(int fd, char *out, size_t cap)
{
    size_t n = 0;
    ssize_t k;

    while (n < cap - 1 && ((k = read(fd, out + n, cap - 1 - n)) > 0 || (k < 0 && errno == EINTR)))
        if (k > 0)
            n += (size_t)k;
    out[n] = '\0';
    close(fd);
}

Test(edge_body_limit, refuses_to_start_with_a_body_limit_above_max_payload, .timeout = 60)
{
    char text[8192];
    int status = 0, admin, err;
    pid_t pid, done = 0;
    double deadline;

    IT_REQUIRE_STACK();
    pid = start_edge("1048576", &err, &admin); /* what deploy/config.yaml used to ship */
    deadline = it_now_ms() + 30000;
    while (it_now_ms() < deadline && (done = waitpid(pid, &status, WNOHANG)) == 0)
        usleep(50 * 1000);
    if (done == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        cr_assert_fail("the edge kept running with MAX_BODY_BYTES above max_payload");
    }
    slurp(err, text, sizeof text);
    cr_assert(it_true(WIFEXITED(status)) && WEXITSTATUS(status) == 2, "status %d: %s", status, text);
    cr_assert(strstr(text, "max_payload") != NULL, "%s", text);
    cr_assert(strstr(text, "MAX_BODY_BYTES to at most 1024000") != NULL, "%s", text);
}

Test(edge_body_limit, starts_with_the_shipped_limit, .timeout = 60)
{
    char text[8192];
    int status = 0, admin, err;
    long ready = 0;
    pid_t pid;
    double deadline;

    IT_REQUIRE_STACK();
    pid = start_edge("1000000", &err, &admin); /* deploy/config.yaml, docker-compose.yml */
    deadline = it_now_ms() + 30000;
    while (it_now_ms() < deadline && waitpid(pid, &status, WNOHANG) == 0 &&
           (ready = it_admin_status(admin, "readyz")) != 200)
        usleep(100 * 1000);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    slurp(err, text, sizeof text);
    cr_assert_eq(ready, 200, "readyz %ld: %s", ready, text);
    cr_assert(strstr(text, "max_payload") == NULL, "%s", text);
}
