/* cm_time.h: the monotonic clock, for durations, deadlines and expiries,
 * and the wall clock only as an event's timestamp (cm_time_rfc3339_now). */
#ifndef CM_TIME_H
#define CM_TIME_H

#include <stdint.h>

int64_t cm_now_ms(void); /* milliseconds on the monotonic clock */
double cm_now_s(void);   /* seconds on the monotonic clock, with sub-µs resolution */

#define CM_RFC3339_LEN 40 /* bytes for cm_time_rfc3339_now's text */

/* Now on the wall clock as RFC 3339 UTC with microseconds
 * ("2026-12-05T01:02:03.456789Z") into out (CM_RFC3339_LEN bytes). */
void cm_time_rfc3339_now(char out[CM_RFC3339_LEN]);

#endif
