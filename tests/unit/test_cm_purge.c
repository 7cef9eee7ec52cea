/* test_cm_purge.c: the Postgres text[] literal cm_purge builds from a
 * person's needles (quoted and escaped, so an email with quotes, commas or
 * backslashes stays one element). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>

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
