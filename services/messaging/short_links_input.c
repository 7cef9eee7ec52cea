/* short_links_input.c: checks and input of short links
 * (short_links_input.h). */
#include "short_links_input.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTRS "/data/attributes"

static const char *const attrs[] = {"expires-at",      "full-path", "netloc",
                                    "organization-id", "scheme",    NULL};

int short_link_netloc_ok(const char *s)
{
    const char *colon = strchr(s, ':');
    size_t host = colon ? (size_t)(colon - s) : strlen(s);

    if (host == 0 || strlen(s) > SHORT_MAX_NETLOC || !isalnum((unsigned char)s[0]) ||
        !isalnum((unsigned char)s[host - 1]))
        return 0;
    for (size_t i = 0; i < host; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
            return 0;
    if (colon) {
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (!isdigit((unsigned char)colon[1]) || *end || port < 1 || port > 65535)
            return 0;
    }
    return 1;
}

int short_link_path_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > SHORT_MAX_PATH || s[0] != '/')
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

int short_link_split(const char *url, char *scheme, char *netloc, char *path)
{
    const char *rest, *end;
    size_t n;

    if (!strncmp(url, "https://", 8)) {
        strcpy(scheme, "https");
        rest = url + 8;
    } else if (!strncmp(url, "http://", 7)) {
        strcpy(scheme, "http");
        rest = url + 7;
    } else {
        return -1;
    }
    end = rest + strcspn(rest, "/?#");
    n = (size_t)(end - rest);
    if (n == 0 || n > SHORT_MAX_NETLOC)
        return -1;
    memcpy(netloc, rest, n);
    netloc[n] = '\0';
    if (strlen(end) + 1 > SHORT_MAX_PATH) /* with the '/' it may need */
        return -1;
    snprintf(path, SHORT_MAX_PATH + 1, "%s%s", *end == '/' ? "" : "/", end);
    return short_link_netloc_ok(netloc) && short_link_path_ok(path) ? 0 : -1;
}

/* expires-at: absent (unchanged), null ("" = none) or a date-time. */
static cm_err read_expires(struct cm_req *rq, const json_t *a, const char **out, char *buf)
{
    const json_t *v = json_object_get(a, "expires-at");
    char cmp[64], op[3];

    *out = NULL;
    if (!v)
        return CM_OK;
    if (json_is_null(v)) {
        *out = "";
        return CM_OK;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) > 40)
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/expires-at", NULL,
                          "must be an RFC 3339 date-time or null");
    snprintf(cmp, sizeof cmp, ">=%s", json_string_value(v));
    if (cm_cmp_time_parse(cmp, 1, op, buf) != CM_OK)
        return cm_fail_at(rq, CM_EINVAL, ATTRS "/expires-at", NULL,
                          "must be an RFC 3339 date-time or null");
    *out = buf;
    return CM_OK;
}

cm_err short_link_body_read(struct cm_req *rq, const char *id, struct short_link_fields *f,
                            char *expires, json_t **out_doc)
{
    int create = id == NULL;
    json_t *doc = NULL, *a = NULL;
    cm_err err;

    memset(f, 0, sizeof *f);
    err = cm_req_jsonapi(rq, "url-shorteners", id, attrs, &doc, &a);
    if (err != CM_OK)
        return err;
    err = cm_json_str(rq, a, ATTRS, "netloc", create, 0, SHORT_MAX_NETLOC, &f->netloc);
    if (err == CM_OK && f->netloc && !short_link_netloc_ok(f->netloc))
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/netloc", NULL, "must be a host[:port]");
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "full-path", create, 0, SHORT_MAX_PATH, &f->full_path);
    if (err == CM_OK && f->full_path && !short_link_path_ok(f->full_path))
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/full-path", NULL,
                         "must start with / and hold printable ASCII without spaces");
    if (err == CM_OK)
        err = cm_json_str(rq, a, ATTRS, "scheme", 0, 0, 5, &f->scheme);
    if (err == CM_OK && f->scheme && strcmp(f->scheme, "https") && strcmp(f->scheme, "http"))
        err = cm_fail_at(rq, CM_EINVAL, ATTRS "/scheme", NULL, "must be https or http");
    if (err == CM_OK)
        err = cm_json_owner_org(rq, a, ATTRS, create, "a link", &f->organization_id);
    if (err == CM_OK)
        err = read_expires(rq, a, &f->expires_at, expires);
    if (err == CM_OK && create && f->expires_at && !f->expires_at[0])
        f->expires_at = NULL;
    if (err != CM_OK) {
        json_decref(doc);
        return err;
    }
    *out_doc = doc;
    return CM_OK;
}
