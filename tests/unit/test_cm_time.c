/* test_cm_time.c: cm_time's wall-clock timestamp for events. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include <time.h>

#include "cm_time.h"

Test(cm_time, rfc3339_now_is_utc_with_microseconds_and_close_to_now)
{
    char at[CM_RFC3339_LEN];
    struct tm tm = {0};
    time_t before = time(NULL), t;

    cm_time_rfc3339_now(at);
    cr_assert(eq(sz, strlen(at), strlen("2026-12-05T01:02:03.456789Z")), "%s", at);
    cr_assert(eq(chr, at[10], 'T'));
    cr_assert(eq(chr, at[19], '.'));
    cr_assert(eq(chr, at[26], 'Z'));
    cr_assert(strptime(at, "%Y-%m-%dT%H:%M:%S", &tm) != NULL, "%s", at);
    t = timegm(&tm);
    cr_assert(t >= before - 1 && t <= time(NULL) + 1, "%s is now", at);
}
