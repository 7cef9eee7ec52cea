/* test_messaging_attachments_export.c: messaging's pure parts of large
 * bodies: the attachment document and content sniffing (attachment_json.c),
 * and the export rows of GET admin/users as CSV and JSON lines
 * (users_export.c). */
// links: services/messaging/attachment_json.c services/messaging/users_export.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/messaging/attachment.h"
#include "../../services/messaging/users_export.h"

Test(attachment, document_as_the_seed_shows)
{
    struct attachment_rec r = {.id = "55236f2951c356c8d0e5901b", .user_id = "u1",
                               .name = "picture.jpg", .mime_type = "image/jpeg", .size = 31337,
                               .time_created = "2015-04-07T05:46:17.510801"};
    json_t *doc = attachment_json(&r);
    char *s = json_dumps(doc, JSON_PRESERVE_ORDER);

    cr_assert(eq(str, s,
                 "{\"status\": \"ok\", \"attachment\": {\"id\": \"55236f2951c356c8d0e5901b\", "
                 "\"mime_type\": \"image/jpeg\", \"name\": \"picture.jpg\", \"size\": 31337, "
                 "\"time_created\": \"2015-04-07T05:46:17.510801\", \"user_id\": \"u1\"}}"));
    free(s);
    json_decref(doc);
}

Test(attachment, content_decides_the_mime_type)
{
    cr_assert(eq(str, (char *)attachment_sniff((const uint8_t *)"\xff\xd8\xff\xe0xx", 6),
                 "image/jpeg"));
    cr_assert(eq(str, (char *)attachment_sniff((const uint8_t *)"\x89PNG\r\n\x1a\n", 8),
                 "image/png"));
    cr_assert(eq(str, (char *)attachment_sniff((const uint8_t *)"%PDF-1.7", 8), "application/pdf"));
    cr_assert(eq(str, (char *)attachment_sniff((const uint8_t *)"PK\x03\x04", 4), "application/zip"));
    cr_assert(eq(str, (char *)attachment_sniff((const uint8_t *)"hello\n", 6), "text/plain"));
    cr_assert(eq(str, (char *)attachment_sniff((const uint8_t *)"gr\xc3\xbc\xc3", 5), "text/plain"));
    cr_assert(eq(str, (char *)attachment_sniff((const uint8_t *)"a\0b", 3),
                 "application/octet-stream"));
    cr_assert(eq(str, (char *)attachment_sniff(NULL, 0), "application/octet-stream"));
    cr_assert(eq(int, attachment_id_valid("55236f2951c356c8d0e5901b"), 1));
    cr_assert(eq(int, attachment_id_valid("55236F2951C356C8D0E5901B"), 0));
    cr_assert(eq(int, attachment_id_valid("1"), 0));
}

/* A user of org "o1" (roles a, b) and of "o2". */
static Identity__ExportedUser *user(void)
{
    static Identity__ExportedUser u = IDENTITY__EXPORTED_USER__INIT;
    static Identity__ExportedMembership m1 = IDENTITY__EXPORTED_MEMBERSHIP__INIT,
                                        m2 = IDENTITY__EXPORTED_MEMBERSHIP__INIT;
    static Identity__ExportedMembership *ms[2] = {&m1, &m2};
    static char *roles[2] = {"admin", "provider"};

    m1.organization_id = "o2";
    m2.organization_id = "o1";
    m2.n_role_names = 2;
    m2.role_names = roles;
    u.id = "id-1";
    u.username = "jdoe";
    u.email = "jdoe@example.com";
    u.first_name = "Ann, \"Jr\"";
    u.last_name = "Line\nBreak";
    u.enabled = 1;
    u.n_memberships = 2;
    u.memberships = ms;
    return &u;
}

Test(users_export, csv_quotes_what_must_be_quoted)
{
    const Identity__ExportedMembership *m = NULL;
    struct users_export_profile p = {"Dr", "Cardiology", "First floor|On Call", "5551234"};
    size_t len;
    char *row;

    cr_assert(eq(int, users_export_member(user(), "o1", &m), 1));
    cr_assert(eq(int, users_export_member(user(), "o3", NULL), 0));
    row = users_export_row(USERS_EXPORT_CSV, user(), "o1", m, &p, &len);
    cr_assert(eq(str, row,
                 "id-1,jdoe,jdoe@example.com,\"Ann, \"\"Jr\"\"\",\"Line\nBreak\",active,o1,"
                 "admin|provider,Dr,Cardiology,First floor|On Call,5551234\n"));
    cr_assert(eq(sz, len, strlen(row)));
    free(row);
    row = users_export_row(USERS_EXPORT_CSV, user(), "o1", m, NULL, &len);
    cr_assert(not(eq(ptr, strstr(row, ",admin|provider,,,,\n"), NULL)), "%s", row);
    free(row);
    cr_assert(eq(int, strncmp(users_export_csv_header(), "id,user_id,email,", 17), 0));
}

Test(users_export, json_lines_are_one_object_each)
{
    const Identity__ExportedMembership *m = NULL;
    size_t len;
    char *row;
    json_t *o;

    users_export_member(user(), "o1", &m);
    row = users_export_row(USERS_EXPORT_JSON, user(), "o1", m, NULL, &len);
    cr_assert(eq(chr, row[len - 1], '\n'));
    cr_assert(eq(ptr, memchr(row, '\n', len - 1), NULL), "one line: %s", row);
    o = json_loads(row, 0, NULL);
    cr_assert(not(eq(ptr, o, NULL)));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "last_name")), "Line\nBreak"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "roles")), "admin|provider"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "title")), ""));
    json_decref(o);
    free(row);
}
