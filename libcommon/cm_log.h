/* cm_log.h: JSON-lines logging on stderr, one object per line.
 *
 * Each line carries time, level, service, the calling thread's current
 * request id (set with cm_log_set_request_id) and the message. The level is
 * checked before the arguments are evaluated, as Redis's serverLog does.
 * Never log secrets, credentials, codes or personal data. */
#ifndef CM_LOG_H
#define CM_LOG_H

enum cm_log_level { CM_LOG_DEBUG = 0, CM_LOG_INFO, CM_LOG_WARN, CM_LOG_ERROR };

extern int cm_log_min_level; /* set once at start by cm_log_init, read-only after */

/* Sets the service name and the minimum level ("debug", "info", "warn",
 * "error"; unknown → info). Call once, before any thread starts. */
void cm_log_init(const char *service, const char *level);

/* Sets the request id logged by this thread until changed; NULL clears it.
 * The string is copied (up to 64 bytes). */
void cm_log_set_request_id(const char *request_id);

/* Current request id of this thread; borrowed, valid until the next set. */
const char *cm_log_request_id(void);

void cm_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CM_LOG(level, ...)                                                                         \
    do {                                                                                           \
        if ((level) >= cm_log_min_level)                                                           \
            cm_log_write((level), __VA_ARGS__);                                                    \
    } while (0)

#define cm_debug(...) CM_LOG(CM_LOG_DEBUG, __VA_ARGS__)
#define cm_info(...) CM_LOG(CM_LOG_INFO, __VA_ARGS__)
#define cm_warn(...) CM_LOG(CM_LOG_WARN, __VA_ARGS__)
#define cm_error(...) CM_LOG(CM_LOG_ERROR, __VA_ARGS__)

#endif
