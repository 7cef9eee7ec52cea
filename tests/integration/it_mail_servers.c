/* it_mail_servers.c: the real mail transports of the delivery tests
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

/* Reads all of path into a new string (caller frees); NULL when missing. */
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
        n = 0;
    fclose(f);
    return s;
}

void it_mail_servers_up(const char *extra_args)
{
    char cmd[4096], path[600], *ports = NULL, src[256];
    int smtp = 0, sms = 0;
    double until;

    if (!it_have_stack())
        return;
    snprintf(it_mail_dir, sizeof it_mail_dir, "%s/delivery-%u", it_env("TEST_VAR_DIR"),
             (unsigned)randombytes_random());
    mkdir(it_mail_dir, 0700);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/key.pem -out %s/cert.pem "
             "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             it_mail_dir, it_mail_dir);
    cr_assert(eq(int, system(cmd), 0), "openssl");
    snprintf(src, sizeof src, "%s", __FILE__);
    *strrchr(src, '/') = '\0';
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/delivery_servers.py --it_mail_dir %s --cert %s/cert.pem --key "
             "%s/key.pem --user " SMTP_USER " --password " SMTP_PASSWORD
             " %s >%s/servers.log 2>&1 & echo $! >%s/pid",
             src, it_mail_dir, it_mail_dir, it_mail_dir, extra_args, it_mail_dir, it_mail_dir);
    cr_assert(eq(int, system(cmd), 0));
    snprintf(path, sizeof path, "%s/ports", it_mail_dir);
    for (until = it_now_ms() + 20000; it_now_ms() < until; usleep(50000)) {
        free(ports);
        ports = it_mail_slurp(path);
        if (ports && sscanf(ports, "smtp %d\nsms %d", &smtp, &sms) == 2)
            break;
    }
    free(ports);
    cr_assert(smtp > 0 && sms > 0, "the servers did not start (see %s/servers.log)", it_mail_dir);
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
    char path[600], *pid;

    if (!it_have_stack())
        return;
    for (size_t i = 0; i < sizeof transport_vars / sizeof transport_vars[0]; i++)
        unsetenv(transport_vars[i]);
    snprintf(path, sizeof path, "%s/pid", it_mail_dir);
    pid = it_mail_slurp(path);
    if (pid && atol(pid) > 0)
        kill((pid_t)atol(pid), SIGTERM);
    free(pid);
    it_stack(NULL, 0, "restart", "messaging", NULL);
    it_stack_restore(30000);
}


/* Waits for a file of the servers' (prefix "mail" or "sms") whose text
 * contains needle; returns its text (caller frees) or NULL. */
char *it_mail_wait_file(const char *prefix, const char *needle, double ms)
{
    for (double until = it_now_ms() + ms; it_now_ms() < until; usleep(50000)) {
        DIR *d = opendir(it_mail_dir);
        struct dirent *e;
        char path[1024], *text;
        while (d && (e = readdir(d))) {
            if (strncmp(e->d_name, prefix, strlen(prefix)) || strstr(e->d_name, ".tmp"))
                continue;
            snprintf(path, sizeof path, "%s/%s", it_mail_dir, e->d_name);
            text = it_mail_slurp(path);
            if (text && strstr(text, needle)) {
                closedir(d);
                return text;
            }
            free(text);
        }
        if (d)
            closedir(d);
    }
    return NULL;
}
