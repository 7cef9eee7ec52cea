/* test_cm_feed.c: unit tests of cm_feed's pure part, the backoff between
 * retries (the thread itself is tested through authz's projection and
 * onboarding's delivery feed in the integration suites). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "cm_feed.h"

Test(cm_feed, backoff_doubles_from_the_minimum_up_to_the_maximum)
{
    cr_assert(eq(int, cm_feed_backoff_ms(0), CM_FEED_BACKOFF_MIN_MS));
    cr_assert(eq(int, cm_feed_backoff_ms(1), 250));
    cr_assert(eq(int, cm_feed_backoff_ms(2), 500));
    cr_assert(eq(int, cm_feed_backoff_ms(3), 1000));
    cr_assert(eq(int, cm_feed_backoff_ms(5), 4000));
    cr_assert(eq(int, cm_feed_backoff_ms(6), CM_FEED_BACKOFF_MAX_MS));
    cr_assert(eq(int, cm_feed_backoff_ms(1000000), CM_FEED_BACKOFF_MAX_MS));
}
