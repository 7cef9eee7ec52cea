/* oidc_http.c: libcurl calls to an OpenID provider (oidc_http.h). */
#include "oidc_http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"

struct sink {
    char *buf;
    size_t len;
    int over;
};

static size_t sink_write(char *data, size_t size, size_t n, void *ctx)
{
    struct sink *s = ctx;
    size_t add = size * n;

    if (s->len + add > OIDC_HTTP_MAX_BYTES) {
        s->over = 1;
        return 0; /* aborts the transfer */
    }
    s->buf = cm_xrealloc(s->buf, s->len + add + 1);
    memcpy(s->buf + s->len, data, add);
    s->len += add;
    s->buf[s->len] = '\0';
    return add;
}

cm_err oidc_http_json(const char *url, const char *form, const char *user, const char *pass,
                      long *status, json_t **out)
{
    struct sink s = {0};
    struct curl_slist *hs = NULL;
    CURL *c = curl_easy_init();
    CURLcode rc;
    json_t *doc = NULL;
    cm_err err = CM_EUNAVAIL;

    if (!c)
        return CM_EUNAVAIL;
    hs = curl_slist_append(hs, "Accept: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)OIDC_HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)OIDC_HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    if (form)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    if (user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, pass ? pass : "");
    }
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        cm_warn("openid provider request failed: %s", s.over ? "answer too large"
                                                              : curl_easy_strerror(rc));
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    doc = s.buf ? json_loadb(s.buf, s.len, 0, NULL) : NULL;
    if (!json_is_object(doc)) {
        cm_warn("openid provider answered %ld without a JSON object", *status);
        json_decref(doc);
        goto done;
    }
    *out = doc;
    err = CM_OK;
done:
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    free(s.buf);
    return err;
}

char *oidc_http_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = cm_xmalloc(n * 3 + 1), *p = out;

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            *p++ = (char)ch;
        } else {
            *p++ = '%';
            *p++ = hex[ch >> 4];
            *p++ = hex[ch & 15];
        }
    }
    *p = '\0';
    return out;
}
