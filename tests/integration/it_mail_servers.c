/* it_mail_servers.c: the real mail transports of the delivery suites
 * (it_mail_servers.h): aiosmtpd with STARTTLS and AUTH and a local SMS
 * endpoint (delivery_servers.py), messaging restarted to use them. */
#include "it_mail_servers.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

char it_mail_dir[512];

static const char *transport_vars[] = {
    "SMTP_URL",  "SMTP_USER",           "SMTP_PASSWORD",    "SMTP_CA_FILE", "SMS_URL",
    "SMS_TOKEN", "DELIVERY_BACKOFF_MS", "DELIVERY_RETRIES", "MAIL_FROM"};

char *it_mail_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = calloc(1, (size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n)
        s[0] = '\0';
    fclose(f);
    return s;
}

/* The servers' process id (from the pid file), 0 when unknown. */
static pid_t server_pid(void)
{
    char path[600], *text;
    long pid;

    snprintf(path, sizeof path, "%s/pid", it_mail_dir);
    text = it_mail_slurp(path);
    pid = text ? atol(text) : 0;
    free(text);
    return pid > 0 ? (pid_t)pid : 0;
}

/* Stops the servers' process, if any. */
static void server_stop(void)
{
    pid_t pid = server_pid();

    if (pid > 0)
        kill(pid, SIGTERM);
}

/* Stops the servers and fails the test with why and their log. */
static void start_failed(const char *why)
{
    char path[600], *log;

    server_stop();
    snprintf(path, sizeof path, "%s/servers.log", it_mail_dir);
    log = it_mail_slurp(path);
    cr_assert(0, "the mail servers did not start: %s; %s: %.800s", why, path, log ? log : "");
}

/* Waits (20 s at most) for the ports file; fails at once when the server
 * process ends (a bad argument, a missing module). */
static void wait_ports(int *smtp, int *sms)
{
    char path[600], *ports;
    pid_t pid;

    snprintf(path, sizeof path, "%s/ports", it_mail_dir);
    for (double until = it_now_ms() + 20000; it_now_ms() < until; usleep(50000)) {
        ports = it_mail_slurp(path);
        if (ports && sscanf(ports, "smtp %d\nsms %d", smtp, sms) == 2) {
            free(ports);
            return;
        }
        free(ports);
        pid = server_pid();
        if (pid > 0 && kill(pid, 0) != 0)
            start_failed("the process ended");
    }
    start_failed("no ports after 20 s");
}

void it_mail_servers_up(const char *extra_args)
{
    char cmd[4096], path[600], src[256];
    int smtp = 0, sms = 0;

    if (!it_have_stack())
        return;
    snprintf(it_mail_dir, sizeof it_mail_dir, "%s/delivery-%u", it_env("TEST_VAR_DIR"),
             (unsigned)randombytes_random());
    cr_assert(eq(int, mkdir(it_mail_dir, 0700), 0), "mkdir %s", it_mail_dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/key.pem -out %s/cert.pem "
             "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             it_mail_dir, it_mail_dir);
    cr_assert(eq(int, system(cmd), 0), "openssl");
    snprintf(src, sizeof src, "%s", __FILE__);
    *strrchr(src, '/') = '\0';
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/delivery_servers.py --dir %s --cert %s/cert.pem --key "
             "%s/key.pem --user " SMTP_USER " --password " SMTP_PASSWORD
             " %s >%s/servers.log 2>&1 & echo $! >%s/pid",
             src, it_mail_dir, it_mail_dir, it_mail_dir, extra_args, it_mail_dir, it_mail_dir);
    cr_assert(eq(int, system(cmd), 0));
    wait_ports(&smtp, &sms);
    snprintf(cmd, sizeof cmd, "smtp://127.0.0.1:%d", smtp);
    setenv("SMTP_URL", cmd, 1);
    setenv("SMTP_USER", SMTP_USER, 1);
    setenv("SMTP_PASSWORD", SMTP_PASSWORD, 1);
    snprintf(path, sizeof path, "%s/cert.pem", it_mail_dir);
    setenv("SMTP_CA_FILE", path, 1);
    snprintf(cmd, sizeof cmd, "http://127.0.0.1:%d/sms", sms);
    setenv("SMS_URL", cmd, 1);
    setenv("SMS_TOKEN", SMS_TOKEN, 1);
    setenv("DELIVERY_BACKOFF_MS", "100", 1);
    setenv("DELIVERY_RETRIES", "8", 1); /* 100 ms doubled: 12.7 s in all */
    setenv("MAIL_FROM", "no-reply@health.test", 1);
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "messaging", NULL), 0), "restart messaging");
}

void it_mail_servers_down(void)
{
    if (!it_have_stack())
        return;
    for (size_t i = 0; i < sizeof transport_vars / sizeof transport_vars[0]; i++)
        unsetenv(transport_vars[i]);
    server_stop();
    it_stack(NULL, 0, "restart", "messaging", NULL);
    it_stack_restore(30000);
}

void it_mail_decode_body(const char *mail, char *out, size_t cap)
{
    const char *b = strstr(mail, "\r\n\r\n");
    size_t len = 0;

    cr_assert(b != NULL, "no body in %.400s", mail);
    b += 4;
    cr_assert(eq(int,
                 sodium_base642bin((unsigned char *)out, cap - 1, b, strlen(b), "\r\n", &len, NULL,
                                   sodium_base64_VARIANT_ORIGINAL),
                 0),
              "body not base64: %.400s", b);
    out[len] = '\0';
}

/* One look at the servers' finished files named prefix*: counts those whose
 * text holds needle and (when body_needle) whose decoded email text holds
 * body_needle; the first such text into *found (caller frees) when found is
 * not NULL, which ends the look. */
static long scan(const char *prefix, const char *needle, const char *body_needle, char *body,
                 size_t cap, char **found)
{
    DIR *d = opendir(it_mail_dir);
    struct dirent *e;
    char path[1024], *text;
    long n = 0;

    while (d && (e = readdir(d))) {
        int hit;
        if (strncmp(e->d_name, prefix, strlen(prefix)) || strstr(e->d_name, ".tmp"))
            continue;
        snprintf(path, sizeof path, "%s/%s", it_mail_dir, e->d_name);
        text = it_mail_slurp(path);
        hit = text && strstr(text, needle);
        if (hit && body_needle) {
            it_mail_decode_body(text, body, cap);
            hit = strstr(body, body_needle) != NULL;
        }
        n += hit;
        if (hit && found) {
            *found = text;
            break;
        }
        free(text);
    }
    if (d)
        closedir(d);
    return n;
}

long it_mail_count(const char *prefix, const char *needle)
{
    return scan(prefix, needle, NULL, NULL, 0, NULL);
}

char *it_mail_wait_file(const char *prefix, const char *needle, double ms)
{
    char *text = NULL;

    for (double until = it_now_ms() + ms; it_now_ms() < until; usleep(50000))
        if (scan(prefix, needle, NULL, NULL, 0, &text))
            return text;
    return NULL;
}

void it_mail_wait_body(const char *to, const char *needle, char *body, size_t cap, double ms)
{
    char env[200], *text = NULL;

    snprintf(env, sizeof env, "X-Envelope-To: %s\r\n", to);
    for (double until = it_now_ms() + ms; it_now_ms() < until; usleep(100000))
        if (scan("mail", env, needle, body, cap, &text)) {
            free(text);
            return;
        }
    cr_assert(0, "no email with \"%s\" reached the SMTP server (see %s)", needle, it_mail_dir);
}
