/* smtp_send.h: the remote transports of messaging's delivery, through
 * libcurl: SMTP (STARTTLS required by default, AUTH when a user is set) and
 * an HTTP endpoint that takes SMS as JSON. Each call sends one message and
 * blocks until the server answered (bounded by timeouts); it runs on the
 * sender thread (delivery_sender.h), never on a request worker. */
#ifndef MESSAGING_SMTP_SEND_H
#define MESSAGING_SMTP_SEND_H

#include <stddef.h>

#include "cm_config.h"
#include "cm_err.h"

/* Sends the RFC 5322 text msg (len bytes) to `to` from cfg->mail_from
 * through cfg->smtp_url. CM_OK when the server accepted it; CM_EINVAL when
 * it refused it for good (a 5xx reply); CM_EUNAVAIL for what may pass
 * (connection, TLS, 4xx). why gets the reason (no addresses, no content). */
cm_err smtp_send(const struct cm_config *cfg, const char *to, const char *msg, size_t len,
                 char *why, size_t whylen);

/* POSTs {"id", "to", "body"} as JSON to cfg->sms_url, with
 * "Authorization: Bearer <SMS_TOKEN>" when set and "Idempotency-Key: <id>".
 * CM_OK on a 2xx; CM_EINVAL on a 4xx other than 408 and 429 (final);
 * CM_EUNAVAIL otherwise. why as above. */
cm_err sms_send(const struct cm_config *cfg, const char *id, const char *to, const char *body,
                char *why, size_t whylen);

#endif
