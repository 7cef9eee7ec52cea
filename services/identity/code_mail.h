/* code_mail.h: identity's outgoing messages that carry codes or account
 * notices (password-reset codes, email-verification codes, "your email is
 * being changed" notices), sent off the request path.
 *
 * A handler queues the message (code_mail_queue, a few microseconds: no
 * NATS round trip, no spool write) and answers at once; one background
 * thread per identity process hands each message to messaging.rpc.Deliver,
 * 50..250 ms (at random) after it was queued, so that the sending does not
 * overlap the answer either. So an answer takes the same time whether or
 * not a message was queued (forgot-password must not tell whether a user
 * exists, README "Enumeration").
 *
 * Delivery is at most once: the queue lives only in memory (a code is never
 * written to disk in clear), so messages queued when the process dies are
 * lost, and the user asks again. A full queue (CODE_MAIL_QUEUE_MAX) drops
 * the message with a warning. Neither addresses nor bodies are logged. */
#ifndef IDENTITY_CODE_MAIL_H
#define IDENTITY_CODE_MAIL_H

#include <nats/nats.h>

#include "cm_config.h"
#include "cm_err.h"

#define CODE_MAIL_QUEUE_MAX 4096

/* One message: channel "email" or "sms"; kind is messaging's label
 * ("reset-code", "verify-email", "email-change-notice"). With a
 * template_type messaging renders it from that template (the
 * organization's or the default, README "Delivery: templates, transports,
 * email logs, short links") with the variables code, ttl_minutes and
 * new_email (those set); subject and body are then only what older
 * messaging versions send. */
struct code_mail {
    int sms;
    char to[256];
    char subject[128];
    char body[512];
    char kind[32];
    char request_id[72];
    double not_before_s; /* set by code_mail_queue: handed over from then on */
    char template_type[32]; /* "forgot-password", "reset-password", "verify-email", ...; "" none */
    char code[16];          /* {{code}}, wiped with the body */
    int ttl_minutes;        /* {{ttl_minutes}} when > 0 */
    char new_email[300];    /* {{new_email}} (masked) when not "" */
    char idempotency_key[33]; /* set by code_mail_queue: retries of this message send it once */
};

/* The queue and its delivery thread, held in identity's state
 * (identity_state.h). */
struct code_mailer;

/* An empty queue, without its thread yet (caller code_mailer_free). */
struct code_mailer *code_mailer_new(void);

/* Starts q's delivery thread, which keeps cfg and nc (borrowed; they
 * outlive code_mailer_free). CM_EINTERNAL when the thread cannot start. */
cm_err code_mailer_start(struct code_mailer *q, const struct cm_config *cfg, natsConnection *nc);

/* Lets the thread finish what is queued (each message tried once more at
 * most, once stopping), joins it, wipes what a thread never took and frees
 * q. NULL is a no-op. */
void code_mailer_free(struct code_mailer *q);

/* Copies m into q (its body is wiped from m). CM_EUNAVAIL when the queue is
 * full (then nothing is queued). Callable from any thread, before or after
 * code_mailer_start. */
cm_err code_mail_queue(struct code_mailer *q, struct code_mail *m);

/* The number of messages waiting in q (for unit tests). */
int code_mail_waiting(struct code_mailer *q);

#endif
