/* cm_time.c: the monotonic clock, and the wall clock as event timestamps. */
#include "cm_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t cm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double cm_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cm_time_rfc3339_now(char out[CM_RFC3339_LEN])
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(out, CM_RFC3339_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + strlen(out), CM_RFC3339_LEN - strlen(out), ".%06ldZ", ts.tv_nsec / 1000);
}
