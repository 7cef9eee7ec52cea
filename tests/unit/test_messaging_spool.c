/* test_messaging_spool.c: messaging's local transport: which messages are
 * valid, file names that sort by time, and files written whole, private and
 * with every member. */
// links: services/messaging/spool.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../services/messaging/spool.h"

#define ORG "5bde7683-6e91-4fd9-86a3-b24499f30e53"

static const struct spool_msg good_email = {"email", "ann@example.com", "Your code",
                                            "Your code is 123456.\n", "sign-up-code", "", NULL};

/* A message that breaks one rule, by index into the table below. */
struct bad_case {
    const char *field;
    struct spool_msg m;
};

static char long_to[SPOOL_MAX_TO + 2];
static char long_body[SPOOL_MAX_BODY + 2];

static const struct bad_case bad_cases[] = {
    {"channel", {"fax", "ann@example.com", "", "b", "k", "", NULL}},
    {"channel", {"", "ann@example.com", "", "b", "k", "", NULL}},
    {"to", {"email", "", "", "b", "k", "", NULL}},
    {"to", {"email", "no-at-sign", "", "b", "k", "", NULL}},
    {"to", {"email", "a@b@c", "", "b", "k", "", NULL}},
    {"to", {"email", "@example.com", "", "b", "k", "", NULL}},
    {"to", {"email", "ann@example.com\r\nBcc: x@y", "", "b", "k", "", NULL}},
    {"to", {"sms", "5551234567", "", "b", "k", "", NULL}},
    {"to", {"sms", "+1555", "", "b", "k", "", NULL}},
    {"to", {"sms", "+1555123456789012", "", "b", "k", "", NULL}},
    {"to", {"email", long_to, "", "b", "k", "", NULL}},
    {"subject", {"email", "ann@example.com", "line\nbreak", "b", "k", "", NULL}},
    {"body", {"email", "ann@example.com", "", "\xff\xfe", "k", "", NULL}},
    {"body", {"email", "ann@example.com", "", long_body, "k", "", NULL}},
    {"kind", {"email", "ann@example.com", "", "b", "k\x01", "", NULL}},
    {"organization_id", {"email", "ann@example.com", "", "b", "k", "not-a-uuid", NULL}},
};

static void fill_long(void)
{
    memset(long_to, 'a', sizeof long_to - 1);
    long_to[5] = '@';
    long_to[sizeof long_to - 1] = '\0';
    memset(long_body, 'b', sizeof long_body - 1);
    long_body[sizeof long_body - 1] = '\0';
}

ParameterizedTestParameters(spool, refuses_bad_messages)
{
    static size_t idx[sizeof bad_cases / sizeof bad_cases[0]];
    for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++)
        idx[k] = k;
    return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, spool, refuses_bad_messages)
{
    char why[128] = "";
    fill_long();
    cr_assert(eq(int, spool_validate(&bad_cases[*i].m, why, sizeof why), CM_EINVAL), "case %zu",
              *i);
    cr_assert(strstr(why, bad_cases[*i].field) != NULL, "case %zu: \"%s\" names %s", *i, why,
              bad_cases[*i].field);
}

Test(spool, accepts_good_messages)
{
    struct spool_msg sms = {"sms", "+15551234567", "", "Code 654321", "sign-up-code", ORG, NULL};
    char why[128];
    cr_assert(eq(int, spool_validate(&good_email, why, sizeof why), CM_OK), "%s", why);
    cr_assert(eq(int, spool_validate(&sms, why, sizeof why), CM_OK), "%s", why);
}

Test(spool, uuids_are_version_4)
{
    char a[SPOOL_UUID_LEN + 1], b[SPOOL_UUID_LEN + 1];
    cr_assert(sodium_init() >= 0);
    spool_uuid(a);
    spool_uuid(b);
    cr_assert(eq(sz, strlen(a), 36));
    cr_assert(eq(chr, a[14], '4'));
    cr_assert(strchr("89ab", a[19]) != NULL);
    cr_assert(strcmp(a, b) != 0);
}

Test(spool, names_sort_by_time)
{
    char a[SPOOL_NAME_MAX], b[SPOOL_NAME_MAX];
    spool_file_name(999999999LL, "11111111-1111-1111-1111-111111111111", a);
    spool_file_name(1000000000LL, "00000000-0000-0000-0000-000000000000", b);
    cr_assert(eq(str, a, "00000000000999999999-11111111-1111-1111-1111-111111111111.json"));
    cr_assert(strcmp(a, b) < 0);
}

Test(spool, formats_rfc3339_utc)
{
    char t[SPOOL_TIME_LEN + 1];
    spool_rfc3339(1714564800123456789LL, t);
    cr_assert(eq(str, t, "2024-05-01T12:00:00.123456Z"));
}

/* A folder two levels under a fresh one in /tmp, not created yet: base
 * (32 bytes) gets the fresh one, out the spool folder. */
static void temp_dir(char *base, char *out, size_t cap)
{
    snprintf(base, 32, "/tmp/spool-test-XXXXXX");
    cr_assert(mkdtemp(base) != NULL);
    snprintf(out, cap, "%s/nested/spool", base);
}

/* Removes what temp_dir made, once the spool folder is empty. */
static void temp_dir_remove(const char *base, const char *dir)
{
    char nested[64];
    snprintf(nested, sizeof nested, "%s/nested", base);
    cr_assert(eq(int, rmdir(dir), 0));
    cr_assert(eq(int, rmdir(nested), 0));
    cr_assert(eq(int, rmdir(base), 0));
}

Test(spool, writes_one_private_file_with_every_member)
{
    char base[32], dir[256], id[SPOOL_UUID_LEN + 1], name[SPOOL_NAME_MAX], path[512], err[256] = "";
    int64_t ns = spool_now_ns();
    struct stat st;
    json_t *doc;
    DIR *d;
    struct dirent *e;
    int files = 0;

    cr_assert(sodium_init() >= 0);
    temp_dir(base, dir, sizeof dir);
    spool_uuid(id);
    cr_assert(eq(int, spool_write(dir, &good_email, id, ns, err, sizeof err), CM_OK), "%s", err);
    spool_file_name(ns, id, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert(eq(int, stat(path, &st), 0));
    cr_assert(eq(int, (int)(st.st_mode & 0777), 0600));
    cr_assert(eq(int, stat(dir, &st), 0));
    cr_assert(eq(int, (int)(st.st_mode & 0777), 0700));
    doc = json_load_file(path, 0, NULL);
    cr_assert(doc != NULL);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "to")), "ann@example.com"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "subject")), "Your code"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "body")),
                 "Your code is 123456.\n"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "channel")), "email"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "kind")), "sign-up-code"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "organization_id")), ""));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "id")), id));
    cr_assert(json_string_value(json_object_get(doc, "created_at"))[26] == 'Z');
    json_decref(doc);
    /* nothing else, in particular no temporary file, is left */
    d = opendir(dir);
    while ((e = readdir(d)))
        files += e->d_name[0] != '.' || strlen(e->d_name) > 2;
    closedir(d);
    cr_assert(eq(int, files, 1));
    spool_remove(dir, id, ns);
    cr_assert(ne(int, stat(path, &st), 0));
    temp_dir_remove(base, dir);
}

Test(spool, reports_an_unwritable_folder)
{
    char err[256] = "", id[SPOOL_UUID_LEN + 1] = "11111111-1111-1111-1111-111111111111";
    cr_assert(eq(int, spool_write("/proc/no-such-spool", &good_email, id, 1, err, sizeof err),
                 CM_EUNAVAIL));
    cr_assert(strstr(err, "spool") != NULL);
    cr_assert(strstr(err, "123456") == NULL, "no content in errors");
}
