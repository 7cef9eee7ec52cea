/* test_zz_delivery_transports.c: messaging's remote transports against
 * real servers started here (tests/integration/delivery_servers.py): an
 * aiosmtpd SMTP server that requires STARTTLS and AUTH receives a rendered,
 * MIME-encoded email; the SMS endpoint receives JSON after two 503s
 * (retries with backoff: the message stays queued, then is sent once); a
 * 400 fails a message for good and an endpoint that stays down fails it
 * after DELIVERY_RETRIES attempts; a queued message survives a restart of
 * messaging; a request's idempotency key sends one email. messaging is restarted with the
 * transports set, and again without them at the end ("zz": it changes the shared stack). */
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

#include "cm_err.h"
#include "delivery_rpc.h"
#include "harness.h"

#define SMTP_USER "mailer"
#define SMTP_PASSWORD "s3cret-Mailer-pw"
#define SMS_TOKEN "sms-token-123"

static char dir[512];

static const char *transport_vars[] = {
    "SMTP_URL",  "SMTP_USER",           "SMTP_PASSWORD",    "SMTP_CA_FILE", "SMS_URL",
    "SMS_TOKEN", "DELIVERY_BACKOFF_MS", "DELIVERY_RETRIES", "MAIL_FROM"};

/* Reads all of path into a new string (caller frees); NULL when missing. */
static char *slurp(const char *path)
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

/* The servers up, messaging restarted to use them. */
static void servers_up(void)
{
    char cmd[4096], path[600], *ports = NULL, src[256];
    int smtp = 0, sms = 0;
    double until;

    if (!it_have_stack())
        return;
    snprintf(dir, sizeof dir, "%s/delivery-%u", it_env("TEST_VAR_DIR"),
             (unsigned)randombytes_random());
    mkdir(dir, 0700);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/key.pem -out %s/cert.pem "
             "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             dir, dir);
    cr_assert(eq(int, system(cmd), 0), "openssl");
    snprintf(src, sizeof src, "%s", __FILE__);
    *strrchr(src, '/') = '\0';
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/delivery_servers.py --dir %s --cert %s/cert.pem --key "
             "%s/key.pem --user " SMTP_USER " --password " SMTP_PASSWORD
             " --sms-fail 2 >%s/servers.log 2>&1 & echo $! >%s/pid",
             src, dir, dir, dir, dir, dir);
    cr_assert(eq(int, system(cmd), 0));
    snprintf(path, sizeof path, "%s/ports", dir);
    for (until = it_now_ms() + 20000; it_now_ms() < until; usleep(50000)) {
        free(ports);
        ports = slurp(path);
        if (ports && sscanf(ports, "smtp %d\nsms %d", &smtp, &sms) == 2)
            break;
    }
    free(ports);
    cr_assert(smtp > 0 && sms > 0, "the servers did not start (see %s/servers.log)", dir);
    snprintf(cmd, sizeof cmd, "smtp://127.0.0.1:%d", smtp);
    setenv("SMTP_URL", cmd, 1);
    setenv("SMTP_USER", SMTP_USER, 1);
    setenv("SMTP_PASSWORD", SMTP_PASSWORD, 1);
    snprintf(path, sizeof path, "%s/cert.pem", dir);
    setenv("SMTP_CA_FILE", path, 1);
    snprintf(cmd, sizeof cmd, "http://127.0.0.1:%d/sms", sms);
    setenv("SMS_URL", cmd, 1);
    setenv("SMS_TOKEN", SMS_TOKEN, 1);
    setenv("DELIVERY_BACKOFF_MS", "100", 1);
    setenv("DELIVERY_RETRIES", "8", 1); /* 100 ms doubled: 12.7 s in all */
    setenv("MAIL_FROM", "no-reply@health.test", 1);
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "messaging", NULL), 0), "restart messaging");
}

static void servers_down(void)
{
    char path[600], *pid;

    if (!it_have_stack())
        return;
    for (size_t i = 0; i < sizeof transport_vars / sizeof transport_vars[0]; i++)
        unsetenv(transport_vars[i]);
    snprintf(path, sizeof path, "%s/pid", dir);
    pid = slurp(path);
    if (pid && atol(pid) > 0)
        kill((pid_t)atol(pid), SIGTERM);
    free(pid);
    it_stack(NULL, 0, "restart", "messaging", NULL);
    it_stack_restore(30000);
}

TestSuite(zz_delivery_transports, .init = servers_up, .fini = servers_down, .timeout = 120);

/* Waits for a file of the servers' (prefix "mail" or "sms") whose text
 * contains needle; returns its text (caller frees) or NULL. */
static char *wait_file(const char *prefix, const char *needle, double ms)
{
    for (double until = it_now_ms() + ms; it_now_ms() < until; usleep(50000)) {
        DIR *d = opendir(dir);
        struct dirent *e;
        char path[1024], *text;
        while (d && (e = readdir(d))) {
            if (strncmp(e->d_name, prefix, strlen(prefix)) || strstr(e->d_name, ".tmp"))
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            text = slurp(path);
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

static long count_files(const char *prefix, const char *needle)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024], *text;
    long n = 0;

    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) || strstr(e->d_name, ".tmp"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        text = slurp(path);
        n += text && strstr(text, needle);
        free(text);
    }
    if (d)
        closedir(d);
    return n;
}

/* The email_logs status of message id, polled until it is want (at most
 * ms); returns the last one seen (caller frees). */
static char *wait_status(const char *id, const char *want, double ms)
{
    const char *params[1] = {id};
    char *v = NULL;

    for (double until = it_now_ms() + ms; it_now_ms() < until; usleep(50000)) {
        PGconn *pg = it_pg();
        free(v);
        v = it_pg_value(pg, "SELECT status FROM messaging.email_logs WHERE id = $1", 1, params);
        PQfinish(pg);
        if (v && !strcmp(v, want))
            break;
    }
    return v;
}

static long queued_rows(const char *id)
{
    const char *params[1] = {id};
    PGconn *pg = it_pg();
    char *v =
        it_pg_value(pg, "SELECT count(*)::text FROM messaging.deliveries WHERE id = $1", 1, params);
    long n = atol(v);
    free(v);
    PQfinish(pg);
    return n;
}

/* The base64 body of an email's text (after the blank line), decoded. */
static void decode_body(const char *mail, char *out, size_t cap)
{
    const char *b = strstr(mail, "\r\n\r\n");
    size_t len = 0;

    cr_assert(b != NULL);
    b += 4;
    cr_assert(eq(int,
                 sodium_base642bin((unsigned char *)out, cap - 1, b, strlen(b), "\r\n", &len, NULL,
                                   sodium_base64_VARIANT_ORIGINAL),
                 0));
    out[len] = '\0';
}

Test(zz_delivery_transports, smtp_with_starttls_and_auth_receives_the_rendered_email)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};
    char to[128], id[37], id2[37], key[64], needle[200], body[4096], *mail, *status;

    IT_REQUIRE_STACK();
    dr_address(to, sizeof to, "smtp");
    e.key = "code";
    e.value = "583920";
    req.channel = "email";
    req.to = to;
    req.template_type = "verify-email";
    req.locale = "es_US";
    req.n_variables = 1;
    req.variables = ep;
    it_unique(key, sizeof key, "req-");
    req.idempotency_key = key;
    cr_assert(eq(int, dr_deliver_ok(&req, id), 0));
    cr_assert(eq(int, dr_deliver_ok(&req, id2), 1), "a repeat is queued again");
    cr_assert(eq(str, id, id2));

    snprintf(needle, sizeof needle, "X-Envelope-To: %s\r\n", to);
    mail = wait_file("mail", needle, 20000);
    cr_assert(mail != NULL, "no email at the SMTP server (see %s)", dir);
    cr_assert(strstr(mail, "X-Auth-User: " SMTP_USER "\r\n") != NULL, "not authenticated");
    cr_assert(strstr(mail, "X-Mail-From: no-reply@health.test") != NULL);
    cr_assert(strstr(mail, "Subject: =?UTF-8?B?") != NULL, "subject not RFC 2047: %.400s", mail);
    snprintf(needle, sizeof needle, "Message-ID: <%s@messaging>", id);
    cr_assert(strstr(mail, needle) != NULL);
    cr_assert(strstr(mail, "Content-Type: text/plain; charset=UTF-8") != NULL);
    decode_body(mail, body, sizeof body);
    cr_assert(strstr(body, "Su código de confirmación es 583920.") != NULL, "%s", body);
    free(mail);

    status = wait_status(id, "sent", 10000);
    cr_assert(eq(str, status, "sent"));
    free(status);
    cr_assert(eq(long, queued_rows(id), 0), "the body stays queued after the send");
    usleep(500000);
    snprintf(needle, sizeof needle, "X-Envelope-To: %s\r\n", to);
    cr_assert(eq(long, count_files("mail", needle), 1), "sent twice");
}

Test(zz_delivery_transports, sms_endpoint_gets_json_after_retries_and_once)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};
    char to[32], id[37], needle[128], *sms, *status;
    json_t *doc;

    IT_REQUIRE_STACK();
    snprintf(to, sizeof to, "+1555%06u1", (unsigned)randombytes_uniform(1000000));
    e.key = "code";
    e.value = "246810";
    req.channel = "sms";
    req.to = to;
    req.template_type = "verify";
    req.n_variables = 1;
    req.variables = ep;
    dr_deliver_ok(&req, id);
    snprintf(needle, sizeof needle, "\"to\": \"%s\"", to);
    sms = wait_file("sms", needle, 20000);
    cr_assert(sms != NULL, "no SMS at the endpoint (see %s)", dir);
    doc = json_loads(sms, 0, NULL);
    cr_assert(doc != NULL);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(json_object_get(doc, "body"), "body")),
                 "Your confirmation code is 246810."));
    cr_assert(eq(
        str, (char *)json_string_value(json_object_get(json_object_get(doc, "body"), "id")), id));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "authorization")),
                 "Bearer " SMS_TOKEN));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "idempotency-key")), id));
    cr_assert(json_integer_value(json_object_get(doc, "attempt")) >= 3,
              "the endpoint's two 503s were not retried");
    json_decref(doc);
    free(sms);
    status = wait_status(id, "sent", 10000);
    cr_assert(eq(str, status, "sent"));
    free(status);
    cr_assert(eq(long, count_files("sms", needle), 1));
}

Test(zz_delivery_transports, refused_and_exhausted_sends_fail_and_are_logged)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    char id400[37], id503[37], *status;
    const char *params[1] = {id503};
    PGconn *pg;
    char *attempts;

    IT_REQUIRE_STACK();
    req.channel = "sms";
    req.body = "hello";
    req.kind = "it-transport";
    req.to = "+15557770400";
    dr_deliver_ok(&req, id400);
    req.to = "+15557770503";
    dr_deliver_ok(&req, id503);
    status = wait_status(id400, "failed", 10000);
    cr_assert(eq(str, status, "failed"), "a 400 is final");
    free(status);
    cr_assert(eq(long, queued_rows(id400), 0));
    /* 8 attempts, 100, 200, ... 6400 ms apart, then failed */
    cr_assert(eq(long, queued_rows(id503), 1), "dropped before its retries");
    status = wait_status(id503, "failed", 60000);
    cr_assert(eq(str, status, "failed"));
    free(status);
    cr_assert(eq(long, queued_rows(id503), 0));
    pg = it_pg();
    attempts = it_pg_value(pg, "SELECT error FROM messaging.email_logs WHERE id = $1", 1, params);
    PQfinish(pg);
    cr_assert(strstr(attempts, "503") != NULL, "%s", attempts);
    free(attempts);
}

Test(zz_delivery_transports, smtp_gets_the_organizations_html_template_in_the_locale)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};
    char to[128], id[37], org[40], needle[200], body[4096], *mail, *v;
    const char *params[1] = {org};
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    v = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);
    snprintf(org, sizeof org, "%s", v);
    free(v);
    v = it_pg_value(pg,
                    "INSERT INTO messaging.templates (id, channel, organization_id, type, locale,"
                    " format, subject, body) VALUES (gen_random_uuid(), 'email', $1, 'onboarding',"
                    " 'es_US', 'html', 'Bienvenida a la clínica, {{name}}',"
                    " '<p>Hola {{name}}</p>') RETURNING 'ok'",
                    1, params);
    free(v);
    PQfinish(pg);
    dr_address(to, sizeof to, "smtp-org");
    e.key = "name";
    e.value = "Ana <b>";
    req.channel = "email";
    req.to = to;
    req.template_type = "onboarding";
    req.locale = "es_US";
    req.organization_id = org;
    req.n_variables = 1;
    req.variables = ep;
    dr_deliver_ok(&req, id);
    snprintf(needle, sizeof needle, "X-Envelope-To: %s\r\n", to);
    mail = wait_file("mail", needle, 20000);
    cr_assert(mail != NULL, "no email at the SMTP server (see %s)", dir);
    cr_assert(strstr(mail, "Content-Type: text/html; charset=UTF-8") != NULL);
    decode_body(mail, body, sizeof body);
    cr_assert(eq(str, body, "<p>Hola Ana &lt;b&gt;</p>"));
    free(mail);
}

Test(zz_delivery_transports, a_queued_message_survives_a_restart_of_messaging)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    char to[32], id[37], down[600], needle[128], *status, *sms;
    const char *params[1] = {id};
    FILE *f;

    IT_REQUIRE_STACK();
    snprintf(down, sizeof down, "%s/sms-down", dir);
    f = fopen(down, "w");
    cr_assert(f != NULL);
    fclose(f);
    snprintf(to, sizeof to, "+1556%06u2", (unsigned)randombytes_uniform(1000000));
    req.channel = "sms";
    req.to = to;
    req.body = "kept across a restart";
    req.kind = "it-transport";
    dr_deliver_ok(&req, id);
    /* it was tried and failed at least once */
    for (double until = it_now_ms() + 10000; it_now_ms() < until; usleep(50000)) {
        PGconn *pg = it_pg();
        char *a = it_pg_value(pg, "SELECT attempts::text FROM messaging.deliveries WHERE id = $1",
                              1, params);
        PQfinish(pg);
        int tried = a && atoi(a) >= 1;
        free(a);
        if (tried)
            break;
    }
    cr_assert(eq(long, queued_rows(id), 1));
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "messaging", NULL), 0));
    cr_assert(eq(long, queued_rows(id), 1), "not queued any more after the restart");
    unlink(down);
    snprintf(needle, sizeof needle, "\"to\": \"%s\"", to);
    sms = wait_file("sms", needle, 20000);
    cr_assert(sms != NULL, "the queued SMS was lost");
    free(sms);
    status = wait_status(id, "sent", 10000);
    cr_assert(eq(str, status, "sent"));
    free(status);
    cr_assert(eq(long, count_files("sms", needle), 1));
}
