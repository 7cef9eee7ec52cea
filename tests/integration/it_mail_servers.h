/* it_mail_servers.h: the real mail transports of the delivery suites
 * (zz_delivery_transports, zz_onboarding_smtp_journey), for a suite's
 * .init/.fini: aiosmtpd requiring STARTTLS and AUTH (SMTP_USER,
 * SMTP_PASSWORD) and a local SMS endpoint (SMS_TOKEN), started by
 * delivery_servers.py in it_mail_dir, with messaging restarted to use them;
 * down stops them, unsets the transport settings and restarts messaging
 * without them. Criterion runs .init, the test and .fini in one child
 * process per test, so each test gets servers of its own. */
#ifndef IT_MAIL_SERVERS_H
#define IT_MAIL_SERVERS_H

#include <stddef.h>

#define SMTP_USER "mailer"
#define SMTP_PASSWORD "s3cret-Mailer-pw"
#define SMS_TOKEN "sms-token-123"

/* The servers' folder: their files ("mail-<n>.eml", "sms-<n>.json"),
 * ports, pid, servers.log. */
extern char it_mail_dir[512];

/* Starts the servers (extra_args to delivery_servers.py, e.g.
 * "--sms-fail 2"; "" for none), waits (20 s at most) until both listen and
 * restarts messaging to use them. Asserts each step; on a failed start the
 * server process is stopped and its log is in the message. */
void it_mail_servers_up(const char *extra_args);

/* Stops them and restarts messaging with the spool again. */
void it_mail_servers_down(void);

/* All of path as a new string (caller frees); NULL when missing. */
char *it_mail_slurp(const char *path);

/* How many of the servers' finished files (prefix "mail" or "sms") contain
 * needle, now. */
long it_mail_count(const char *prefix, const char *needle);

/* Waits up to ms for a file of the servers' (prefix "mail" or "sms") whose
 * text contains needle; its text (caller frees) or NULL. */
char *it_mail_wait_file(const char *prefix, const char *needle, double ms);

/* The base64 text of an email (after the blank line), decoded into out
 * (cap bytes); asserts it decodes. */
void it_mail_decode_body(const char *mail, char *out, size_t cap);

/* Waits up to ms for the email to `to` whose decoded text holds needle,
 * decoded into body (cap bytes); asserts it arrives. */
void it_mail_wait_body(const char *to, const char *needle, char *body, size_t cap, double ms);

#endif
