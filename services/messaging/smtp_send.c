/* smtp_send.c: SMTP and SMS-over-HTTP sends with libcurl (smtp_send.h). */
#include "smtp_send.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_TIMEOUT_S 10
#define TOTAL_TIMEOUT_S 60

/* The message being uploaded. */
struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ctx)
{
    struct upload *u = ctx;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;

    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static size_t discard_cb(char *p, size_t size, size_t nmemb, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * nmemb;
}

static long use_ssl(const char *mode)
{
    if (!strcmp(mode, "off"))
        return CURLUSESSL_NONE;
    if (!strcmp(mode, "try"))
        return CURLUSESSL_TRY;
    return CURLUSESSL_ALL;
}

cm_err smtp_send(const struct cm_config *cfg, const char *to, const char *msg, size_t len,
                 char *why, size_t whylen)
{
    struct upload u = {msg, len};
    struct curl_slist *rcpt = NULL;
    char from[400];
    long code = 0;
    CURLcode rc;
    CURL *c = curl_easy_init();

    if (!c) {
        snprintf(why, whylen, "smtp: no curl handle");
        return CM_EUNAVAIL;
    }
    snprintf(from, sizeof from, "<%s>", cfg->mail_from);
    rcpt = curl_slist_append(NULL, to);
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl(cfg->smtp_starttls));
    if (cfg->smtp_ca_file[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, cfg->smtp_ca_file);
    if (cfg->smtp_user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TOTAL_TIMEOUT_S);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK)
        return CM_OK;
    snprintf(why, whylen, "smtp: %s (reply %ld)", curl_easy_strerror(rc), code);
    return code >= 500 && code < 600 ? CM_EINVAL : CM_EUNAVAIL;
}

cm_err sms_send(const struct cm_config *cfg, const char *id, const char *to, const char *body,
                char *why, size_t whylen)
{
    struct curl_slist *h = NULL;
    char auth[600], key[100];
    json_t *doc = json_pack("{s:s, s:s, s:s}", "id", id, "to", to, "body", body);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    long code = 0;
    CURLcode rc;
    CURL *c = text ? curl_easy_init() : NULL;

    json_decref(doc);
    if (!c) {
        free(text);
        snprintf(why, whylen, "sms: the request could not be made");
        return CM_EUNAVAIL;
    }
    h = curl_slist_append(h, "Content-Type: application/json");
    snprintf(key, sizeof key, "Idempotency-Key: %s", id);
    h = curl_slist_append(h, key);
    if (cfg->sms_token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->sms_token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, cfg->sms_url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TOTAL_TIMEOUT_S);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(text);
    if (rc == CURLE_OK && code >= 200 && code < 300)
        return CM_OK;
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "sms: %s", curl_easy_strerror(rc));
        return CM_EUNAVAIL;
    }
    snprintf(why, whylen, "sms: the endpoint answered %ld", code);
    return code >= 400 && code < 500 && code != 408 && code != 429 ? CM_EINVAL : CM_EUNAVAIL;
}
