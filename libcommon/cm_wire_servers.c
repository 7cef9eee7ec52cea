/* cm_wire_servers.c: NATS_URL plus the cluster's announced servers, in a
 * random order per round (cm_wire_servers.h). */
#include "cm_wire_servers.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_found[CM_WIRE_MAX_URLS][270]; /* "host:port" */
static int g_nfound;

void cm_wire_servers_learn(const char *json, size_t len)
{
    json_t *info = json_loadb(json, len, 0, NULL);
    json_t *urls = json_object_get(info, "connect_urls"), *v;
    size_t i;

    pthread_mutex_lock(&g_lock);
    json_array_foreach(urls, i, v)
    {
        const char *s = json_string_value(v);
        int known = 0;
        if (!s || !*s || strlen(s) >= sizeof g_found[0] || strchr(s, '/') || strchr(s, '@'))
            continue;
        for (int k = 0; k < g_nfound && !known; k++)
            known = strcmp(g_found[k], s) == 0;
        if (!known && g_nfound < CM_WIRE_MAX_URLS)
            snprintf(g_found[g_nfound++], sizeof g_found[0], "%s", s);
    }
    pthread_mutex_unlock(&g_lock);
    json_decref(info);
}

void cm_wire_servers_forget(void)
{
    pthread_mutex_lock(&g_lock);
    g_nfound = 0;
    pthread_mutex_unlock(&g_lock);
}

int cm_wire_servers_round(const char *configured, struct cm_wire_url *out, int max, uint64_t *rng,
                          char *why, size_t whylen)
{
    int n = cm_wire_urls_parse(configured, out, max, why, whylen);

    if (n < 0)
        return -1;
    pthread_mutex_lock(&g_lock);
    for (int k = 0; k < g_nfound && n < max; k++) {
        struct cm_wire_url u;
        int dup = 0;
        if (cm_wire_urls_parse(g_found[k], &u, 1, why, whylen) != 1)
            continue;
        for (int j = 0; j < n && !dup; j++)
            dup = out[j].port == u.port && strcmp(out[j].host, u.host) == 0;
        if (dup)
            continue;
        snprintf(u.user, sizeof u.user, "%s", out[0].user);
        snprintf(u.pass, sizeof u.pass, "%s", out[0].pass);
        snprintf(u.token, sizeof u.token, "%s", out[0].token);
        u.tls = out[0].tls;
        /* announced addresses are mostly IPs the certificates do not name */
        snprintf(u.tls_name, sizeof u.tls_name, "%s",
                 out[0].tls_name[0] ? out[0].tls_name : out[0].host);
        out[n++] = u;
    }
    pthread_mutex_unlock(&g_lock);
    for (int i = n - 1; i > 0; i--) { /* Fisher-Yates */
        int j = (int)(cm_wire_rng_next(rng) % (uint64_t)(i + 1));
        struct cm_wire_url t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
    return n;
}

int cm_wire_info_ldm(const char *json, size_t len)
{
    json_t *info = json_loadb(json, len, 0, NULL);
    int ldm = json_is_true(json_object_get(info, "ldm"));

    json_decref(info);
    return ldm;
}
