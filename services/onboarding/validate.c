/* validate.c: onboarding's value checks (see validate.h). */
#include "validate.h"

#include <stddef.h>
#include <string.h>

int validate_code_id(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
    return n >= 1 && n <= CODE_ID_MAX && s[n] == '\0';
}

/* Reads exactly n digits at *p into *out and advances; 0 when not digits. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

/* Reads "YYYY-MM-DD" at *p (a real date) and advances. */
static int date_at(const char **p)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, leap;

    if (!digits(p, 4, &y) || *(*p)++ != '-' || !digits(p, 2, &m) || *(*p)++ != '-' ||
        !digits(p, 2, &d))
        return 0;
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

int validate_date(const char *s)
{
    return date_at(&s) && *s == '\0';
}

int validate_rfc3339(const char *s)
{
    int h, mi, se, oh, om;

    if (!date_at(&s) || (*s != 'T' && *s != 't'))
        return 0;
    s++;
    if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
        !digits(&s, 2, &se) || h > 23 || mi > 59 || se > 59)
        return 0;
    if (*s == '.') {
        size_t n = strspn(++s, "0123456789");
        if (n < 1 || n > 9)
            return 0;
        s += n;
    }
    if (*s == 'Z' || *s == 'z')
        return s[1] == '\0';
    if (*s != '+' && *s != '-')
        return 0;
    s++;
    return digits(&s, 2, &oh) && *s++ == ':' && digits(&s, 2, &om) && oh <= 23 && om <= 59 &&
           *s == '\0';
}

int validate_tz(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/");
    int letter = (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z');

    return letter && n <= 64 && s[n] == '\0' && !strstr(s, "//") && s[n - 1] != '/';
}

int validate_email(const char *s)
{
    const char *at = strchr(s, '@');

    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return 0;
    return at && at != s && !strchr(at + 1, '@') && strchr(at + 1, '.') && at[1] != '.' &&
           s[strlen(s) - 1] != '.';
}

int validate_e164(const char *s)
{
    size_t n;
    if (s[0] != '+')
        return 0;
    n = strspn(s + 1, "0123456789");
    return s[1 + n] == '\0' && n >= 8 && n <= 15;
}

int validate_enum(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (!strcmp(s, *values))
            return 1;
    return 0;
}
