/* client_addr.c: the client's address behind trusted proxies (client_addr.h). */
#include "client_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* 1 when s[0..n) is a valid IPv4 or IPv6 address; its text into out. */
static int valid_ip(const char *s, size_t n, char out[CLIENT_ADDR_MAX])
{
    unsigned char buf[sizeof(struct in6_addr)];
    char tmp[CLIENT_ADDR_MAX];

    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof tmp)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (inet_pton(AF_INET, tmp, buf) != 1 && inet_pton(AF_INET6, tmp, buf) != 1)
        return 0;
    memcpy(out, tmp, n + 1);
    return 1;
}

/* 1 when addr is one of the comma-separated trusted addresses. */
static int trusted_has(const char *trusted, const char *addr)
{
    size_t len = strlen(addr);

    while (trusted && *trusted) {
        const char *end = strchr(trusted, ',');
        size_t n = end ? (size_t)(end - trusted) : strlen(trusted);
        while (n > 0 && *trusted == ' ') {
            trusted++;
            n--;
        }
        while (n > 0 && trusted[n - 1] == ' ')
            n--;
        if (n == len && !memcmp(trusted, addr, n))
            return 1;
        trusted = end ? end + 1 : NULL;
    }
    return 0;
}

void client_addr_pick(const char *remote, const char *xff, const char *trusted,
                      char out[CLIENT_ADDR_MAX])
{
    char hop[CLIENT_ADDR_MAX];
    size_t end;

    if (!remote || !remote[0]) {
        snprintf(out, CLIENT_ADDR_MAX, "unknown");
        return;
    }
    snprintf(out, CLIENT_ADDR_MAX, "%s", remote);
    if (!xff || !trusted_has(trusted, remote))
        return;
    end = strlen(xff);
    while (end > 0) { /* right to left: the nearest hop first */
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        if (!valid_ip(xff + start, end - start, hop))
            return; /* garbage from here on: keep the last trusted hop's word */
        snprintf(out, CLIENT_ADDR_MAX, "%s", hop);
        if (!trusted_has(trusted, hop))
            return;
        end = start > 0 ? start - 1 : 0;
    }
}

void client_addr_of(const struct cm_req *rq, char out[CLIENT_ADDR_MAX])
{
    client_addr_pick(rq->http->remote_addr, cm_req_header(rq, "x-forwarded-for"),
                     rq->w->cfg->trusted_proxies, out);
}
