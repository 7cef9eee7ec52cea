/* cm_time.h: the monotonic clock, for durations, deadlines and expiries
 * (never wall time). */
#ifndef CM_TIME_H
#define CM_TIME_H

#include <stdint.h>

int64_t cm_now_ms(void); /* milliseconds on the monotonic clock */
double cm_now_s(void);   /* seconds on the monotonic clock, with sub-µs resolution */

#endif
