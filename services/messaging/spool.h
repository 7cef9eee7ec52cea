/* spool.h: the local transport of messaging's delivery (DESIGN.md §3): each
 * outgoing email or SMS becomes one JSON file in a spool folder, which a
 * person (or a test) reads instead of a mailbox. Nothing here knows about
 * NATS or Postgres, so it is unit-tested on its own. */
#ifndef MESSAGING_SPOOL_H
#define MESSAGING_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

/* Limits of a message, in bytes. */
#define SPOOL_MAX_TO 320          /* an address (RFC 5321 path) or an E.164 number */
#define SPOOL_MAX_SUBJECT 998     /* one RFC 5322 line */
#define SPOOL_MAX_BODY 65536      /* plain text */
#define SPOOL_MAX_KIND 64
#define SPOOL_MAX_ORGANIZATION_ID 36 /* a uuid, or "" */
#define SPOOL_UUID_LEN 36
#define SPOOL_TIME_LEN 27         /* "2024-05-01T12:00:00.000000Z" */
#define SPOOL_NAME_MAX 80         /* "<20 digits>-<uuid>.json" and its NUL */

/* One outgoing message; every string is borrowed and NUL-terminated ("" for
 * absent). */
struct spool_msg {
    const char *channel; /* "email" | "sms" */
    const char *to;
    const char *subject;
    const char *body;
    const char *kind;            /* "sign-up-code", "reset-code", ... */
    const char *organization_id; /* uuid or "" */
    const char *format;          /* "txt" (NULL reads so) or "html": how body is written */
};

/* Checks m: channel "email" or "sms"; to non-empty, at most SPOOL_MAX_TO
 * bytes, an address with one '@' and text on both sides for email, '+'
 * and 8..15 digits for sms; subject, body and kind within their limits,
 * valid UTF-8, and no control characters in to, subject or kind (body may
 * hold newlines and tabs); organization_id "" or a uuid. Returns CM_OK or
 * CM_EINVAL with a reason in why (whylen bytes; names the field, never its
 * value). */
cm_err spool_validate(const struct spool_msg *m, char *why, size_t whylen);

/* A random (version 4) uuid, lower-case, into out. Needs sodium_init(). */
void spool_uuid(char out[SPOOL_UUID_LEN + 1]);

/* Wall-clock time in nanoseconds since the epoch. */
int64_t spool_now_ns(void);

/* ns as RFC 3339 UTC with microseconds into out ("...T12:00:00.000000Z"). */
void spool_rfc3339(int64_t ns, char out[SPOOL_TIME_LEN + 1]);

/* File name of message id sent at ns: "<ns, zero-padded to 20 digits>-<id>.json"
 * (names sort by time). */
void spool_file_name(int64_t ns, const char *id, char out[SPOOL_NAME_MAX]);

/* Writes m as a JSON object {to, subject, body, channel, kind,
 * organization_id, id, created_at, format} into dir/spool_file_name(ns, id),
 * creating dir (mode 0700) when missing. The file is written under a
 * temporary name that does not end in ".json", flushed to disk, made mode
 * 0600 and renamed into place, so a reader never sees a partial message.
 * m must have passed spool_validate. Returns CM_OK, or CM_EUNAVAIL with the
 * failing step and errno text in err (errlen bytes; no message content). */
cm_err spool_write(const char *dir, const struct spool_msg *m, const char *id, int64_t ns,
                   char *err, size_t errlen);

/* Removes the file spool_write wrote for (ns, id), taking back a message
 * whose log row could not be committed. Missing files are not an error. */
void spool_remove(const char *dir, const char *id, int64_t ns);

#endif
