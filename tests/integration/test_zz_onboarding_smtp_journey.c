/* test_zz_onboarding_smtp_journey.c: issue 13's "Done when" journey through
 * the real transports (helpers copied from test_zz_delivery_transports.c:
 * aiosmtpd with STARTTLS and AUTH, a local SMS endpoint; messaging is
 * restarted with them and again without them at the end, hence "zz"): a
 * provider creates an onboarding request with email and SMS notifications;
 * the email arrives at the SMTP server rendered from the organization's
 * es_US template (the person's locale); the SMS carries a short link that
 * redirects; the person signs up with the request's code agreeing to the
 * organization's document, confirms with the code mailed through SMTP,
 * logs in, checks in; the request is claimed; email logs show both sends. */
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

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

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
             " >%s/servers.log 2>&1 & echo $! >%s/pid",
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

TestSuite(zz_onboarding_smtp_journey, .init = servers_up, .fini = servers_down, .timeout = 180);

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

static const json_t *attrs_of(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "data"), "attributes");
}

/* The email at the SMTP server for to whose decoded body holds needle,
 * decoded into body (cap bytes); asserts it arrives within 20 s. */
static void mail_for(const char *to, const char *needle, char *body, size_t cap)
{
    char env[200], *mail;

    snprintf(env, sizeof env, "X-Envelope-To: %s\r\n", to);
    for (double until = it_now_ms() + 20000; it_now_ms() < until; usleep(100000)) {
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char path[1024];
            if (strncmp(e->d_name, "mail", 4) || strstr(e->d_name, ".tmp"))
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            mail = slurp(path);
            if (mail && strstr(mail, env)) {
                decode_body(mail, body, cap);
                if (strstr(body, needle)) {
                    free(mail);
                    closedir(d);
                    return;
                }
            }
            free(mail);
        }
        if (d)
            closedir(d);
    }
    cr_assert(0, "no email with \"%s\" reached the SMTP server (see %s)", needle, dir);
}

Test(zz_onboarding_smtp_journey, provider_invites_patient_through_smtp_and_sms)
{
    struct ob_fixture f;
    char org[40], org_code[65], provider[128], provider_id[40], email[128], phone[20];
    char body[4096], attrs[1024], id[40], code[64], conf[16], *doc_id, access[AF_TOKEN_MAX],
        want[512], needle[300], link[16], loc[512];
    const char *p[1], *at;
    char *sms;
    struct it_resp r;
    json_t *doc = NULL, *sign_up, *tpl;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    pg = it_pg();
    af_org(pg, org);
    af_user(pg, "it-smtpj-prov", 1, 1, provider, provider_id);
    af_member(pg, provider_id, org, "provider");
    p[0] = org;
    doc_id = it_pg_value(pg,
                         "INSERT INTO onboarding.service_documents (organization_id, type, "
                         "version, title) VALUES ($1::uuid, 'terms-of-service', '1', 'Terms') "
                         "RETURNING id::text",
                         1, p);
    PQfinish(pg);
    cr_assert(doc_id != NULL);
    ob_create_code(f.admin, org, NULL, org_code);
    tpl = json_pack("{s:{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}}", "data", "type",
                    "organization-email-templates", "attributes", "organization-id", org, "type",
                    "onboarding", "locale", "es_US", "format", "txt", "subject", "Bienvenido",
                    "support-email", "help@example.com", "support-email-title", "Ayuda", "template",
                    "Hola: su código es {{code}}. Abra {{url}}");
    {
        char *t = json_dumps(tpl, 0);
        cr_assert(
            eq(long, af_call("POST", "/v1/organization-email-templates/", f.admin, t, &doc), 201));
        free(t);
        json_decref(doc);
        json_decref(tpl);
    }

    /* 1. the provider onboards the patient by email and SMS */
    snprintf(attrs, sizeof attrs, "{\"service-document-agreements\": [\"%s\"]}", doc_id);
    cr_assert(eq(long, af_login(provider, AF_PASSWORD, attrs, &doc), 201));
    snprintf(access, sizeof access, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    it_unique(email, 100, "it-smtpj-");
    strcat(email, "@example.com");
    snprintf(phone, sizeof phone, "+1555%07u", (unsigned)(randombytes_random() % 10000000u));
    snprintf(attrs, sizeof attrs,
             "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": {\"organization\": "
             "\"%s\", \"patient-email\": \"%s\", \"phone-number\": \"%s\", \"notifications\": "
             "[\"email\", \"sms\"], \"communication-preferences\": {\"locale\": \"es_US\"}}}}",
             org, email, phone);
    cr_assert(eq(long, af_call("POST", "/v1/onboarding-requests/", access, attrs, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(code, sizeof code, "%s", af_str(attrs_of(doc), "code"));
    json_decref(doc);

    /* 2. the email at the SMTP server, from the organization's es_US template */
    snprintf(needle, sizeof needle, "Hola: su código es %s.", code);
    mail_for(email, needle, body, sizeof body);
    /* 3. the SMS with a short link that redirects */
    sms = wait_file("sms", phone, 20000);
    cr_assert(sms != NULL, "no SMS at the endpoint (see %s)", dir);
    snprintf(needle, sizeof needle, "%s/s/", it_env("TEST_EDGE_URL"));
    at = strstr(sms, needle);
    cr_assert(at != NULL, "no short link in %s", sms);
    snprintf(link, sizeof link, "%.8s", at + strlen(needle));
    free(sms);
    snprintf(needle, sizeof needle, "/s/%s", link);
    it_call(&r, "GET", needle, IT_AUTH_NONE, NULL, NULL);
    cr_assert(eq(long, r.status, 302));
    snprintf(loc, sizeof loc, "%s", it_header_str(&r, "location"));
    it_resp_release(&r);
    snprintf(want, sizeof want, "https://app.example.com/onboarding?code=%s", code);
    cr_assert(eq(str, loc, want));

    /* 4. sign-up with the request's code, agreeing; the code comes by SMTP */
    sign_up = ob_sign_up_body(org_code, email, NULL);
    json_object_set_new(sign_up, "referral-code", json_string(code));
    json_object_set_new(sign_up, "locale", json_string("es_US"));
    json_object_set_new(sign_up, "service-document-agreements", json_pack("[s]", doc_id));
    free(doc_id);
    ob_post_json(&r, "/v1/sign-up/", NULL, sign_up);
    json_decref(sign_up);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    it_resp_release(&r);
    mail_for(email, "confirmation code is", body, sizeof body); /* no es_US default: en_US */
    {
        json_t *m = json_pack("{s:s}", "body", body);
        it_spool_code(m, conf, sizeof conf);
        json_decref(m);
    }
    cr_assert(eq(sz, strlen(conf), 6), "no code in \"%s\"", body);
    cr_assert(eq(long, ob_confirm(&r, email, conf, 0), 201), "%s", r.body);
    it_resp_release(&r);

    /* 5. login, check-in */
    cr_assert(eq(long, af_login(email, OB_PASSWORD, NULL, &doc), 201));
    snprintf(access, sizeof access, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    cr_assert(eq(long,
                 af_call("POST", "/v1/user-checkins/", access,
                         "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {\"source\": "
                         "\"ios\"}}}",
                         &doc),
                 201));
    json_decref(doc);

    /* 6. the request is claimed; the email logs show both sends */
    snprintf(want, sizeof want, "/v1/onboarding-requests/%s/", id);
    cr_assert(eq(long, af_call("GET", want, f.admin, NULL, &doc), 200));
    cr_assert(eq(str, (char *)af_str(attrs_of(doc), "status"), "claimed"));
    json_decref(doc);
    snprintf(want, sizeof want, "/v1/email-logs/?filter[destination]=%s", email);
    for (double until = it_now_ms() + 10000; it_now_ms() < until; usleep(200000)) {
        size_t sends = 0;
        json_t *data;
        json_decref(doc);
        doc = NULL;
        cr_assert(eq(long, af_call("GET", want, f.admin, NULL, &doc), 200));
        data = json_object_get(doc, "data");
        for (size_t i = 0; i < json_array_size(data); i++)
            sends += !strcmp(
                af_str(json_object_get(json_array_get(data, i), "attributes"), "notification-type"),
                "Send");
        if (sends >= 2)
            break;
    }
    {
        size_t sends = 0;
        json_t *data = json_object_get(doc, "data");
        for (size_t i = 0; i < json_array_size(data); i++)
            sends += !strcmp(
                af_str(json_object_get(json_array_get(data, i), "attributes"), "notification-type"),
                "Send");
        cr_assert(eq(sz, sends, 2), "email logs: %zu sends to the person", sends);
    }
    json_decref(doc);
}
