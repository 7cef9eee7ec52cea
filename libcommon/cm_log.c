/* cm_log.c: JSON-lines logger. One write(2) per line so lines from several
 * threads never interleave. */
#include "cm_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int cm_log_min_level = CM_LOG_INFO;
static char log_service[32] = "suite";
static _Thread_local char log_request_id[65];

static const char *level_names[] = {"debug", "info", "warn", "error"};

void cm_log_init(const char *service, const char *level)
{
    snprintf(log_service, sizeof log_service, "%s", service ? service : "suite");
    cm_log_min_level = CM_LOG_INFO;
    for (int i = 0; level && i < 4; i++)
        if (strcmp(level, level_names[i]) == 0)
            cm_log_min_level = i;
}

void cm_log_set_request_id(const char *request_id)
{
    snprintf(log_request_id, sizeof log_request_id, "%s", request_id ? request_id : "");
}

const char *cm_log_request_id(void)
{
    return log_request_id;
}

/* Appends s to buf as JSON string content (no quotes), escaping what must be. */
static size_t escape_into(char *buf, size_t at, size_t cap, const char *s)
{
    for (; *s && at + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[at++] = '\\';
            buf[at++] = (char)c;
        } else if (c < 0x20) {
            at += (size_t)snprintf(buf + at, cap - at, "\\u%04x", c);
        } else {
            buf[at++] = (char)c;
        }
    }
    return at;
}

void cm_log_write(int level, const char *fmt, ...)
{
    char msg[2048];
    char line[4608];
    struct timeval tv;
    struct tm tm;
    va_list ap;
    size_t at;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    at = (size_t)snprintf(line, sizeof line,
                          "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\","
                          "\"service\":\"%s\"",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec, (long)(tv.tv_usec / 1000),
                          level_names[level < 0 ? 0 : level > 3 ? 3 : level], log_service);
    if (log_request_id[0]) {
        at += (size_t)snprintf(line + at, sizeof line - at, ",\"request_id\":\"");
        at = escape_into(line, at, sizeof line - 8, log_request_id);
        line[at++] = '"';
    }
    at += (size_t)snprintf(line + at, sizeof line - at, ",\"msg\":\"");
    at = escape_into(line, at, sizeof line - 4, msg);
    line[at++] = '"';
    line[at++] = '}';
    line[at++] = '\n';
    (void)!write(STDERR_FILENO, line, at);
}
