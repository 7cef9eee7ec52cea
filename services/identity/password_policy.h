/* password_policy.h: how strong a password is, and whether the policy
 * accepts it. One scorer for POST /v1/password-strength/ and for every
 * operation that sets a password (sign-up, change-password, reset), so what
 * the user is told and what is enforced never differ. Pure: no I/O. */
#ifndef IDENTITY_PASSWORD_POLICY_H
#define IDENTITY_PASSWORD_POLICY_H

#include <stddef.h>

#define PW_MAX_CHARS 255   /* code points, as the seed's 1..255 */
#define PW_MIN_SCORE 2     /* the policy accepts "fair" and above */
#define PW_MAX_SUGGESTIONS 4

struct pw_strength {
    int score;                                   /* 0 very weak .. 4 very strong */
    const char *label;                           /* static */
    int common;                                  /* 1: in the list of common passwords */
    int nsuggestions;
    const char *suggestions[PW_MAX_SUGGESTIONS]; /* static strings */
};

/* Rates the UTF-8 password pw (len bytes): length, variety of characters,
 * repeats and sequences, and the built-in list of common passwords. */
void pw_strength_rate(const char *pw, size_t len, struct pw_strength *out);

/* True when the policy accepts a password rated s. */
int pw_policy_accepts(const struct pw_strength *s);

/* Number of code points in the UTF-8 string s (len bytes, assumed valid). */
size_t pw_chars(const char *s, size_t len);

#endif
