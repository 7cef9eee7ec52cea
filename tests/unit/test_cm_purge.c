/* test_cm_purge.c: the Postgres text[] literal cm_purge builds from a
 * person's needles (quoted and escaped, so an email with quotes, commas or
 * backslashes stays one element). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "cm_purge.h"

Test(cm_purge, text_array_quotes_every_element)
{
    char *a[] = {"1b4e28ba-2fa1-11d2-883f-0016d3cca427", "ann,\"lee\"\\x@example.com", ""};
    char *s = cm_purge_text_array(a, 3);
    cr_assert(eq(str, s,
                 "{\"1b4e28ba-2fa1-11d2-883f-0016d3cca427\",\"ann,\\\"lee\\\"\\\\x@example.com\","
                 "\"\"}"));
    free(s);
    s = cm_purge_text_array(a, 0);
    cr_assert(eq(str, s, "{}"));
    free(s);
}

Test(cm_purge, field_is_the_length_varint_then_the_needle)
{
    unsigned char out[300];
    char longer[201];

    cr_assert(eq(sz, cm_purge_field("bob@x.com", out, sizeof out), 10));
    cr_assert(eq(int, out[0], 9));
    cr_assert(eq(int, memcmp(out + 1, "bob@x.com", 9), 0));
    memset(longer, 'a', 200);
    longer[200] = '\0';
    cr_assert(eq(sz, cm_purge_field(longer, out, sizeof out), 202));
    cr_assert(eq(int, out[0], (200 & 0x7f) | 0x80));
    cr_assert(eq(int, out[1], 200 >> 7));
    cr_assert(eq(sz, cm_purge_field(longer, out, 100), 0));
}
