/* validate.h: onboarding's checks of input values that libcommon's readers
 * do not know (organization-code ids, dates, time zones, addresses). Pure
 * functions: no I/O, unit-tested in tests/unit/test_onboarding_validate.c. */
#ifndef ONBOARDING_VALIDATE_H
#define ONBOARDING_VALIDATE_H

#define CODE_ID_MAX 64 /* characters of an organization-code id */

/* True when s is 1..CODE_ID_MAX characters of [A-Za-z0-9_-]. */
int validate_code_id(const char *s);

/* True when s is an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS, optional
 * fraction (1..9 digits), then Z or ±HH:MM; a real calendar date, years
 * 0001..9999 ('t' and 'z' accepted in lower case too). */
int validate_rfc3339(const char *s);

/* True when s is a real calendar date YYYY-MM-DD (years 0001..9999). */
int validate_date(const char *s);

/* True when s looks like an IANA time zone name: 1..64 characters of
 * [A-Za-z0-9_+-/], starting with a letter, no empty or "." segment
 * ("UTC", "America/New_York", "Etc/GMT+5"). */
int validate_tz(const char *s);

/* True when s looks like an email address: one '@' with text on both sides,
 * a '.' in the domain, no spaces or control characters. */
int validate_email(const char *s);

/* True when s is an E.164 number: '+' then 8..15 digits. */
int validate_e164(const char *s);

/* True when s equals one of the NULL-terminated values. */
int validate_enum(const char *s, const char *const *values);

#endif
