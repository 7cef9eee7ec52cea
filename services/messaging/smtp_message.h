/* smtp_message.h: an outgoing email as the RFC 5322 text an SMTP server
 * receives: headers (Date, From, To, Subject encoded per RFC 2047 when it
 * is not ASCII, Message-ID from messaging's message id, MIME) and the body
 * in base64, text/plain or text/html in UTF-8. Pure, unit-tested. */
#ifndef MESSAGING_SMTP_MESSAGE_H
#define MESSAGING_SMTP_MESSAGE_H

#include <stddef.h>
#include <time.h>

/* The message text (CRLF line ends) into *out, its length *out_len
 * (caller frees). html: body is HTML. Inputs are checked before
 * (spool_validate: no CR or LF in from, to or subject). */
void smtp_message_build(const char *from, const char *to, const char *subject, const char *body,
                        int html, const char *message_id, time_t when, char **out, size_t *out_len);

#endif
