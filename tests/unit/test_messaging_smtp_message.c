/* test_messaging_smtp_message.c: the RFC 5322 text of an outgoing email
 * (headers, RFC 2047 subjects cut at character boundaries, base64 body in
 * 76-character lines) and the sender's backoff. */
// clang-format off
// links: services/messaging/smtp_message.c services/messaging/delivery_sender.c services/messaging/smtp_send.c services/messaging/store_deliveries.c services/messaging/store_email_logs.c services/messaging/store_delivery_events.c
// clang-format on
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/messaging/delivery_sender.h"
#include "../../services/messaging/smtp_message.h"

static char *build(const char *subject, const char *body, int html)
{
    char *out = NULL;
    size_t len = 0;
    smtp_message_build("from@example.com", "to@example.com", subject, body, html,
                       "0b7e3f8e-0000-4000-8000-000000000001", 0, &out, &len);
    cr_assert(eq(sz, len, strlen(out)));
    return out;
}

Test(smtp_message, has_the_headers_and_a_base64_body)
{
    char *m;
    unsigned char dec[64];
    size_t len = 0;
    const char *b;

    cr_assert(sodium_init() >= 0);
    m = build("Hello", "Hi there", 0);
    cr_assert(strstr(m, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n") == m);
    cr_assert(strstr(m, "\r\nFrom: from@example.com\r\nTo: to@example.com\r\nSubject: Hello\r\n") !=
              NULL);
    cr_assert(strstr(m, "Message-ID: <0b7e3f8e-0000-4000-8000-000000000001@messaging>\r\n") !=
              NULL);
    cr_assert(strstr(m, "Content-Type: text/plain; charset=UTF-8\r\n") != NULL);
    b = strstr(m, "\r\n\r\n") + 4;
    cr_assert(eq(int,
                 sodium_base642bin(dec, sizeof dec, b, strlen(b), "\r\n", &len, NULL,
                                   sodium_base64_VARIANT_ORIGINAL),
                 0));
    cr_assert(eq(sz, len, 8));
    cr_assert(memcmp(dec, "Hi there", 8) == 0);
    free(m);
    m = build("x", "<p>x</p>", 1);
    cr_assert(strstr(m, "Content-Type: text/html; charset=UTF-8\r\n") != NULL);
    free(m);
}

Test(smtp_message, body_lines_stay_short)
{
    char body[1000], *m, *line;

    cr_assert(sodium_init() >= 0);
    memset(body, 'a', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    m = build("s", body, 0);
    for (line = strstr(m, "\r\n\r\n") + 4; *line; line = strstr(line, "\r\n") + 2)
        cr_assert(le(sz, (size_t)(strstr(line, "\r\n") - line), 76));
    free(m);
}

Test(smtp_message, encodes_non_ascii_subjects_without_splitting_characters)
{
    /* 30 two-byte characters: 60 bytes, more than one encoded word */
    char subject[200] = "", *m, *p;
    unsigned char dec[64];
    size_t len;

    cr_assert(sodium_init() >= 0);
    for (int i = 0; i < 30; i++)
        strcat(subject, "é");
    m = build(subject, "b", 0);
    p = strstr(m, "Subject: =?UTF-8?B?");
    cr_assert(p != NULL);
    cr_assert(strstr(p, "?=\r\n =?UTF-8?B?") != NULL, "not folded: %.200s", p);
    /* each word decodes to whole characters */
    for (p = strstr(m, "=?UTF-8?B?"); p; p = strstr(p + 1, "=?UTF-8?B?")) {
        const char *s = p + 10, *e = strstr(s, "?=");
        cr_assert(eq(int,
                     sodium_base642bin(dec, sizeof dec, s, (size_t)(e - s), NULL, &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0));
        cr_assert(eq(sz, len % 2, 0));
        cr_assert(eq(int, (dec[0] & 0xC0) == 0x80, 0));
    }
    free(m);
}

Test(delivery_sender, backoff_doubles_up_to_an_hour)
{
    cr_assert(eq(long, delivery_backoff_ms(100, 1), 100));
    cr_assert(eq(long, delivery_backoff_ms(100, 2), 200));
    cr_assert(eq(long, delivery_backoff_ms(100, 4), 800));
    cr_assert(eq(long, delivery_backoff_ms(1000, 40), 3600000));
}
