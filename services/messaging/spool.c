/* spool.c: messaging's local transport: one JSON file per outgoing message
 * in the spool folder, written atomically (see spool.h). */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cm_body.h"
#include "cm_jsonapi.h"

static cm_err invalid(char *why, size_t whylen, const char *reason)
{
    snprintf(why, whylen, "%s", reason);
    return CM_EINVAL;
}

/* True when s has a byte below 0x20 or DEL; tabs and newlines too unless
 * allow_lines. */
static int has_control(const char *s, int allow_lines)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 || *p == 0x7f) && !(allow_lines && (*p == '\n' || *p == '\t' || *p == '\r')))
            return 1;
    return 0;
}

/* One '@' with text on both sides and no spaces. */
static int email_like(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at != s && at[1] && !strchr(at + 1, '@') && !strchr(s, ' ');
}

/* '+' then 8..15 digits. */
static int e164_like(const char *s)
{
    size_t n;
    if (s[0] != '+')
        return 0;
    n = strspn(s + 1, "0123456789");
    return s[1 + n] == '\0' && n >= 8 && n <= 15;
}

/* Within max bytes and valid UTF-8. */
static int text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n <= max && cm_utf8_valid((const unsigned char *)s, n);
}

cm_err spool_validate(const struct spool_msg *m, char *why, size_t whylen)
{
    int email;

    if (!m->channel || (strcmp(m->channel, "email") && strcmp(m->channel, "sms")))
        return invalid(why, whylen, "channel must be \"email\" or \"sms\"");
    email = !strcmp(m->channel, "email");
    if (!m->to || !m->to[0])
        return invalid(why, whylen, "to is required");
    if (!text_ok(m->to, SPOOL_MAX_TO) || has_control(m->to, 0))
        return invalid(why, whylen, "to is too long or not printable text");
    if (email ? !email_like(m->to) : !e164_like(m->to))
        return invalid(why, whylen,
                       email ? "to must be an email address" : "to must be an E.164 number");
    if (!m->subject || !text_ok(m->subject, SPOOL_MAX_SUBJECT) || has_control(m->subject, 0))
        return invalid(why, whylen, "subject is too long or not printable text");
    if (!m->body || !text_ok(m->body, SPOOL_MAX_BODY) || has_control(m->body, 1))
        return invalid(why, whylen, "body is too long or not printable text");
    if (!m->kind || !text_ok(m->kind, SPOOL_MAX_KIND) || has_control(m->kind, 0))
        return invalid(why, whylen, "kind is too long or not printable text");
    if (!m->organization_id || (m->organization_id[0] && !cm_uuid_valid(m->organization_id)))
        return invalid(why, whylen, "organization_id must be a uuid or empty");
    return CM_OK;
}

void spool_uuid(char out[SPOOL_UUID_LEN + 1])
{
    unsigned char b[16];
    static const char hex[] = "0123456789abcdef";
    int o = 0;

    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}

int64_t spool_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void spool_rfc3339(int64_t ns, char out[SPOOL_TIME_LEN + 1])
{
    time_t secs = (time_t)(ns / 1000000000LL);
    unsigned usec = (unsigned)((uint64_t)ns % 1000000000ULL / 1000U) % 1000000U;
    struct tm tm;
    char day[24];

    gmtime_r(&secs, &tm);
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, SPOOL_TIME_LEN + 1, "%.19s.%06uZ", day, usec);
}

void spool_file_name(int64_t ns, const char *id, char out[SPOOL_NAME_MAX])
{
    snprintf(out, SPOOL_NAME_MAX, "%020lld-%.36s.json", (long long)ns, id);
}

/* mkdir -p path with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    int rc = 0;

    if (!p)
        return -1;
    for (char *s = p + 1; rc == 0 && *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    if (rc == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

/* Writes all of buf[0..len) to fd. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, buf, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        buf += k;
        len -= (size_t)k;
    }
    return 0;
}

static cm_err failed(char *err, size_t errlen, const char *step, int errnum)
{
    snprintf(err, errlen, "spool %s failed: %s", step, strerror(errnum));
    return CM_EUNAVAIL;
}

cm_err spool_write(const char *dir, const struct spool_msg *m, const char *id, int64_t ns,
                   char *err, size_t errlen)
{
    char name[SPOOL_NAME_MAX], created_at[SPOOL_TIME_LEN + 1];
    char final[4096], tmp[4096], *text = NULL;
    json_t *doc;
    cm_err rc = CM_OK;
    int fd = -1;

    spool_file_name(ns, id, name);
    spool_rfc3339(ns, created_at);
    doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "to", m->to, "subject",
                    m->subject, "body", m->body, "channel", m->channel, "kind", m->kind,
                    "organization_id", m->organization_id, "id", id, "created_at", created_at);
    if (doc)
        json_object_set_new(doc, "format", json_string(m->format ? m->format : "txt"));
    text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    if (!text) {
        snprintf(err, errlen, "spool message could not be encoded");
        return CM_EINTERNAL;
    }
    /* ".<ns>-<id>.tmp": hidden and not "*.json", so readers skip it */
    if ((size_t)snprintf(final, sizeof final, "%s/%s", dir, name) >= sizeof final ||
        (size_t)snprintf(tmp, sizeof tmp, "%s/.%.*s.tmp", dir, (int)(strlen(name) - 5), name) >=
            sizeof tmp)
        rc = failed(err, errlen, "path", ENAMETOOLONG);
    if (rc == CM_OK && make_dirs(dir) != 0)
        rc = failed(err, errlen, "mkdir", errno);
    if (rc == CM_OK && (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        rc = failed(err, errlen, "open", errno);
    if (rc == CM_OK && (fchmod(fd, 0600) != 0 || write_all(fd, text, strlen(text)) != 0 ||
                        write_all(fd, "\n", 1) != 0 || fsync(fd) != 0))
        rc = failed(err, errlen, "write", errno);
    if (fd >= 0 && close(fd) != 0 && rc == CM_OK)
        rc = failed(err, errlen, "close", errno);
    if (rc == CM_OK && rename(tmp, final) != 0)
        rc = failed(err, errlen, "rename", errno);
    if (rc != CM_OK && fd >= 0)
        unlink(tmp);
    free(text);
    return rc;
}

void spool_remove(const char *dir, const char *id, int64_t ns)
{
    char name[SPOOL_NAME_MAX], path[4096];

    spool_file_name(ns, id, name);
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) < sizeof path)
        unlink(path);
}
