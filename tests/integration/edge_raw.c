/* edge_raw.c: raw TCP exchanges with the edge (see edge_raw.h). */
#include "edge_raw.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

int raw_connect(void)
{
    const char *url = it_env("TEST_EDGE_URL"), *colon = strrchr(url, ':');
    struct sockaddr_in sin = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    cr_assert(fd >= 0 && colon != NULL);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)atoi(colon + 1));
    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    cr_assert(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0, "cannot connect to %s", url);
    return fd;
}

const char *raw_basic_auth_line(void)
{
    static char line[512];
    char plain[256], b64[400];

    snprintf(plain, sizeof plain, "%s:%s", it_env("TEST_API_USER"), it_env("TEST_API_KEY"));
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)plain, strlen(plain),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(line, sizeof line, "Authorization: Basic %s\r\n", b64);
    return line;
}

size_t raw_exchange(const char *req, size_t len, char *out, size_t cap, double timeout_ms,
                    int *closed)
{
    int fd = raw_connect();
    size_t got = 0, sent = 0;
    double end = it_now_ms() + timeout_ms;

    *closed = 0;
    while (sent < len) {
        ssize_t n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    while (got + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        double left = end - it_now_ms();
        ssize_t n;

        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        n = recv(fd, out + got, cap - 1 - got, 0);
        if (n <= 0) {
            *closed = 1;
            break;
        }
        got += (size_t)n;
    }
    out[got] = '\0';
    close(fd);
    return got;
}

int raw_status(const char *buf)
{
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        return 0;
    return status;
}

const char *raw_body(const char *buf)
{
    const char *p = strstr(buf, "\r\n\r\n");
    return p ? p + 4 : "";
}

int raw_count_responses(const char *buf)
{
    int n = 0;
    for (const char *p = buf; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++)
        n += p == buf || p[-1] == '\n' || p[-1] == '}';
    return n;
}
