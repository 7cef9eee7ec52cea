/* it_mail_servers.h: the real mail transports of the delivery tests, for a
 * suite's .init/.fini: aiosmtpd requiring STARTTLS and AUTH (SMTP_USER,
 * SMTP_PASSWORD) and a local SMS endpoint (SMS_TOKEN), started by
 * delivery_servers.py in it_mail_dir, with messaging restarted to use them;
 * down unsets the transport settings and restarts messaging without them. */
#ifndef IT_MAIL_SERVERS_H
#define IT_MAIL_SERVERS_H

#define SMTP_USER "mailer"
#define SMTP_PASSWORD "s3cret-Mailer-pw"
#define SMS_TOKEN "sms-token-123"

/* The servers' folder: their files ("mail*", "sms*"), ports, log. */
extern char it_mail_dir[512];

/* Starts the servers (extra_args to delivery_servers.py, e.g.
 * "--sms-fail 2") and restarts messaging to use them. */
void it_mail_servers_up(const char *extra_args);

/* Stops them and restarts messaging with the spool again. */
void it_mail_servers_down(void);

/* All of path as a new string (caller frees); NULL when missing. */
char *it_mail_slurp(const char *path);

/* Waits up to ms for a file of the servers' (prefix "mail" or "sms") whose
 * text contains needle; its text (caller frees) or NULL. */
char *it_mail_wait_file(const char *prefix, const char *needle, double ms);

#endif
